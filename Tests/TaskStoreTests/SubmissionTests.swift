import CorpusIngest
import Coordinator
import Foundation
import PostgresTestSupport
import Testing
import TaskStore
import TreeInstructCore

@Suite("Submitting corpora", .enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
struct SubmissionTests {
    @Test("every good line becomes a task, every bad one an ingest error, and a second submit changes nothing")
    func submitIsIdempotent() async throws {
        let queue = try await TestQueue.make()
        var lines: [String] = []
        for index in 1...250 {
            lines.append(index % 10 == 0 ? #"{"instruction": 7}"# : #"{"instruction": "Task \#(index)", "input": "ctx"}"#)
        }
        lines.append(#"{"instruction": "Task 1", "input": "ctx"}"#)  // a duplicate of line 1
        lines.append(#"{"instruction": "broken"#)
        let path = NSTemporaryDirectory() + "submit-\(UUID().uuidString).jsonl"
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }

        let submission = Submission(queue: queue, shardSize: 100)
        let first = try await submission.submit(CorpusFile(path: path), runName: "r", config: QueueFixtures.config())
        #expect(first.recordsRead == 226)
        #expect(first.tasksCreated == 225)
        #expect(first.duplicates == 1)
        #expect(first.badRecords == 26)
        #expect(first.shardsCreated == 3)
        let second = try await submission.submit(CorpusFile(path: path), runName: "r", config: QueueFixtures.config())
        #expect(second.tasksCreated == 0)
        #expect(second.duplicates == 226)
        #expect(second.shardsCreated == 0)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.tasks") == 225)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.shards") == 3)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.ingest_errors") == 26)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.ingest_errors WHERE code = 'wrong_type' AND line % 10 = 0") == 25)
        #expect(try await QueueFixtures.scalar(queue, "SELECT max(last_line) FROM $schema.shards") == 251)
    }

    @Test("an instruction too long to grow under the word cap is reported, not paid for")
    func cannotGrowIsAnIngestError() async throws {
        let queue = try await TestQueue.make()
        let long = Array(repeating: "word", count: 95).joined(separator: " ")
        let path = NSTemporaryDirectory() + "long-\(UUID().uuidString).jsonl"
        try Data((#"{"instruction": "\#(long)"}"# + "\n" + #"{"instruction": "Short one."}"#).utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let summary = try await Submission(queue: queue).submit(CorpusFile(path: path), runName: "r", config: QueueFixtures.config())
        #expect(summary.tasksCreated == 1)
        #expect(summary.badRecords == 1)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.ingest_errors WHERE code = 'cannot_grow' AND line = 1") == 1)
    }
}
