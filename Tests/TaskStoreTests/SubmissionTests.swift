import CorpusIngest
@testable import Coordinator
import Foundation
import PostgresTestSupport
import Testing
import TaskStore
import TreeInstructCore

@Suite("Submitting corpora", .enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
struct SubmissionTests {
    /// `lines` as a JSONL corpus in the temporary directory; the caller removes it.
    static func writeCorpus(_ lines: [String]) throws -> String {
        let path = NSTemporaryDirectory() + "corpus-\(UUID().uuidString).jsonl"
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("every good line becomes a task, every bad one an ingest error, and a second submit changes nothing, task ids included")
    func submitIsIdempotent() async throws {
        let queue = try await TestQueue.make()
        var lines: [String] = []
        for index in 1...250 {
            lines.append(index % 10 == 0 ? #"{"instruction": 7}"# : #"{"instruction": "Task \#(index)", "input": "ctx"}"#)
        }
        lines.append(#"{"instruction": "Task 1", "input": "ctx"}"#)  // a duplicate of line 1
        lines.append(#"{"instruction": "broken"#)
        let path = try Self.writeCorpus(lines)
        defer { try? FileManager.default.removeItem(atPath: path) }

        let submission = Submission(queue: queue, shardSize: 100)
        let first = try await submission.submit(CorpusFile(path: path), runName: "r", config: QueueFixtures.config())
        #expect(first.recordsRead == 226)
        #expect(first.tasksCreated == 225)
        #expect(first.duplicates == 1)
        #expect(first.badRecords == 26)
        #expect(first.shardsCreated == 3)
        let idsTaken = "SELECT last_value FROM $schema.tasks_id_seq"
        let lastIDBefore = try await QueueFixtures.scalar(queue, idsTaken)
        let second = try await submission.submit(CorpusFile(path: path), runName: "r", config: QueueFixtures.config())
        #expect(try await QueueFixtures.scalar(queue, idsTaken) == lastIDBefore, "a stored record takes no task id")
        #expect(second.tasksCreated == 0)
        #expect(second.duplicates == 226)
        #expect(second.shardsCreated == 0)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.tasks") == 225)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.shards") == 3)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.ingest_errors") == 26)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.ingest_errors WHERE code = 'wrong_type' AND line % 10 = 0") == 25)
        #expect(try await QueueFixtures.scalar(queue, "SELECT max(last_line) FROM $schema.shards") == 251)
    }

    @Test("shards inserted side by side that hold each other's rows in reverse order store each row once")
    func parallelShardsWithCrossedDuplicates() async throws {
        let queue = try await TestQueue.make()
        // Shards of 300: each odd shard lists the rows of the shard before it backwards, so two
        // concurrent inserts meet on the same keys in opposite orders.
        var lines: [String] = []
        for block in 0..<4 {
            let rows = (0..<300).map { #"{"instruction": "Block \#(block) row \#($0)"}"# }
            lines += rows + rows.reversed()
        }
        let path = try Self.writeCorpus(lines)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let summary = try await Submission(queue: queue, shardSize: 300, parallelShards: 3)
            .submit(CorpusFile(path: path), runName: "crossed", config: QueueFixtures.config())
        #expect(summary.recordsRead == 2400)
        #expect(summary.tasksCreated == 1200)
        #expect(summary.duplicates == 1200)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.tasks") == 1200)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(DISTINCT content_hash) FROM $schema.tasks") == 1200)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.shards") == summary.shardsCreated)
    }

    @Test("two shards that insert each other's rows in opposite orders deadlock, and the one the database rolls back is retried")
    func deadlockedShardInsertsAreRetried() async throws {
        let queue = try await TestQueue.make()
        // Numbered in advance, so neither waits for the other's shard row; one row per statement,
        // so each transaction holds its first row while it asks for the other's: PostgreSQL finds
        // the cycle after deadlock_timeout and aborts one of the two.
        try await withThrowingTaskGroup(of: Int.self) { group in
            for pair in 0..<6 {
                let run = try await queue.runs.createOrFindRun(name: "pair-\(pair)", config: QueueFixtures.config())
                let x = InstructionRecord(instruction: "Pair \(pair) first", line: 1)
                let y = InstructionRecord(instruction: "Pair \(pair) second", line: 2)
                group.addTask { try await queue.runs.insertShard([x, y], sourceFile: "a", run: run, ordinal: 0, batchSize: 1) }
                group.addTask { try await queue.runs.insertShard([y, x], sourceFile: "b", run: run, ordinal: 1, batchSize: 1) }
            }
            #expect(try await group.reduce(0, +) == 12, "each row stored once, whichever shard won")
        }
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.tasks") == 12)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(DISTINCT (run_id, content_hash)) FROM $schema.tasks") == 12)
    }

    @Test("two submits into one run at the same time both land, every shard under its own number")
    func concurrentSubmitsToOneRun() async throws {
        let queue = try await TestQueue.make()
        let paths = try (0..<2).map { corpus in
            try Self.writeCorpus((0..<1000).map { #"{"instruction": "Corpus \#(corpus) row \#($0)"}"# })
        }
        defer { for path in paths { try? FileManager.default.removeItem(atPath: path) } }
        let submission = Submission(queue: queue, shardSize: 50, parallelShards: 2)
        let created = try await withThrowingTaskGroup(of: Int.self) { group in
            for path in paths {
                group.addTask { try await submission.submit(CorpusFile(path: path), runName: "shared", config: QueueFixtures.config()).tasksCreated }
            }
            return try await group.reduce(0, +)
        }
        #expect(created == 2000)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.tasks") == 2000)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(DISTINCT ordinal) FROM $schema.shards") == 40)
    }

    /// Lines whose text a text encoding must escape (tab, new line, carriage return, backslash,
    /// the letters of COPY's NULL marker), other scripts, every kind of id and output, and repeats.
    static let awkwardLines = [
        #"{"instruction": "Tab\there, new\nline, return\r, back\\slash", "input": "\\N", "output": ""}"#,
        #"{"instruction": "\\N", "input": "", "id": 17}"#,
        #"{"instruction": "Résumé ✓ 東京 مرحبا 👍🏽", "input": "a\tb", "id": "x-1", "output": "Out\\put"}"#,
        #"{"instruction": "Résumé ✓ 東京 مرحبا 👍🏽", "input": "a\tb"}"#,
        #"{"instruction": "  Spaced   out  ", "id": ""}"#,
        #"{"instruction": "Spaced out", "output": null}"#,
        #"{"instruction": "Plain", "id": 2.5}"#,
    ]

    @Test("rows inserted unchecked into a new run are the rows the checked insert stores, repeats included")
    func uncheckedRowsMatchCheckedRows() async throws {
        let queue = try await TestQueue.make()
        let path = try Self.writeCorpus(Self.awkwardLines)
        defer { try? FileManager.default.removeItem(atPath: path) }
        // "unchecked" is new: its rows go in without a conflict check. "checked" holds a task already, so every row
        // of the same file goes through the conflict-checked insert.
        let checked = try await queue.runs.createOrFindRun(name: "checked", config: QueueFixtures.config())
        _ = try await queue.runs.insertShard([InstructionRecord(instruction: "Already here", line: 99)], sourceFile: "seed", run: checked)
        // One shard at a time: with two in flight, which of two repeats in different shards is
        // kept depends on which commits first (on either path), and this test compares rows.
        let submission = Submission(queue: queue, shardSize: 3, parallelShards: 1)
        let unchecked = try await submission.submit(CorpusFile(path: path), runName: "unchecked", config: QueueFixtures.config())
        let viaChecks = try await submission.submit(CorpusFile(path: path), runName: "checked", config: QueueFixtures.config())
        #expect(unchecked.tasksCreated == 5 && unchecked.duplicates == 2)
        #expect(viaChecks.tasksCreated == 5 && viaChecks.duplicates == 2)
        let columns = "source_line, content_hash, instruction, input, reference_output, source_id, stage, round, stages_left, max_attempts, state"
        func rows(_ run: String) -> String {
            "SELECT \(columns) FROM $schema.tasks t JOIN $schema.runs r ON r.id = t.run_id WHERE r.name = '\(run)' AND source_line < 99"
        }
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM (\(rows("unchecked")) EXCEPT \(rows("checked"))) d") == 0)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM (\(rows("checked")) EXCEPT \(rows("unchecked"))) d") == 0)
        #expect(
            try await QueueFixtures.scalar(
                queue,
                #"SELECT count(*) FROM $schema.tasks WHERE instruction = E'Tab\there, new\nline, return\r, back\\slash' AND input = '\N' AND reference_output IS NULL"#
            ) == 2)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.tasks WHERE instruction = '\\N' AND source_id = '17'") == 2)
        #expect(
            try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.tasks WHERE source_id = 'x-1' AND reference_output = 'Out\\put'") == 2
        )
    }

    @Test("two submits of one corpus into one new run at the same time store each row once")
    func concurrentSubmitsOfOneCorpus() async throws {
        let queue = try await TestQueue.make()
        let path = try Self.writeCorpus((0..<2000).map { #"{"instruction": "Row \#($0 % 1500)"}"# })
        defer { try? FileManager.default.removeItem(atPath: path) }
        let submission = Submission(queue: queue, shardSize: 100, parallelShards: 2)
        let summaries = try await withThrowingTaskGroup(of: SubmissionSummary.self) { group in
            for _ in 0..<2 { group.addTask { try await submission.submit(CorpusFile(path: path), runName: "twice", config: QueueFixtures.config()) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(summaries.map(\.tasksCreated).reduce(0, +) == 1500)
        #expect(summaries.map(\.duplicates).reduce(0, +) == 2500)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.tasks") == 1500)
    }

    @Test("past the tracking limit every record is checked, and repeats still count")
    func repeatsPastTheTrackingLimit() async throws {
        let queue = try await TestQueue.make()
        let path = try Self.writeCorpus((0..<300).map { #"{"instruction": "Row \#($0 % 200)"}"# })
        defer { try? FileManager.default.removeItem(atPath: path) }
        let summary = try await Submission(queue: queue, shardSize: 40, trackingLimit: 50)
            .submit(CorpusFile(path: path), runName: "limited", config: QueueFixtures.config())
        #expect(summary.tasksCreated == 200 && summary.duplicates == 100)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.tasks") == 200)
    }

    @Test("the prefix table finds every repeat, through its growth, and takes zero as one")
    func prefixTableFindsRepeats() {
        var table = HashPrefixSet(capacity: 16)
        var generator = SystemRandomNumberGenerator()
        let prefixes = (0..<50_000).map { _ in generator.next() as UInt64 } + [0, 1, 2]
        #expect(prefixes.filter { table.insert($0) }.count == Set(prefixes.map { $0 == 0 ? 1 : $0 }).count)
        #expect(prefixes.allSatisfy { !table.insert($0) })
        #expect(table.count == Set(prefixes.map { $0 == 0 ? 1 : $0 }).count)
        var full = HashPrefixSet(limit: 3)
        #expect([5, 6, 7, 8, 5].map { full.insert($0) } == [true, true, true, false, false])
    }

    @Test("an instruction too long to grow under the word cap is reported, not paid for")
    func cannotGrowIsAnIngestError() async throws {
        let queue = try await TestQueue.make()
        let long = Array(repeating: "word", count: 95).joined(separator: " ")
        let path = try Self.writeCorpus([#"{"instruction": "\#(long)"}"#, #"{"instruction": "Short one."}"#])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let summary = try await Submission(queue: queue).submit(CorpusFile(path: path), runName: "r", config: QueueFixtures.config())
        #expect(summary.tasksCreated == 1)
        #expect(summary.badRecords == 1)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.ingest_errors WHERE code = 'cannot_grow' AND line = 1") == 1)
    }
}
