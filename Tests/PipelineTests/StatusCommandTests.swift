import Coordinator
import CorpusIngest
import EmbeddedPostgres
import Foundation
import PostgresTestSupport
import TaskStore
import TestCorpora
import Testing
import TreeInstructCore

/// `treeinstruct status` as scripts and people read it: a cancelled run says so, shards are
/// listed, and `--watch` into a pipe prints plain time-stamped lines, one per run per interval.
@Suite("status", .serialized, .enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
struct StatusCommandTests {
    static func environment(_ database: Database) -> [String: String] {
        var environment = WorkerProcess.environment(database.settings)
        environment["TREEINSTRUCT_SCHEMA"] = database.schema
        return environment
    }

    static func seeded() async throws -> Database {
        let database = try await TestPostgres.database()
        _ = try await Submission(queue: database.queue, shardSize: 100)
            .submit(CorpusFile(path: TestCorpora.path("self-instruct-seed-175.jsonl")), runName: "seeds", config: RunConfig(model: "m"))
        return database
    }

    @Test func cancelledRunIsShownCancelledWithShards() async throws {
        let database = try await Self.seeded()
        let run = try #require(try await database.queue.runs.findRun(named: "seeds"))
        _ = try await database.queue.runs.cancelRun(id: run.id)
        let text = try await BadInvocationTests.invoke(["status", "--run", "seeds", "--shards"], environment: Self.environment(database))
        #expect(text.status == 0, "\(text.error)")
        #expect(text.output.contains("seeds  cancelled"), "\(text.output)")
        #expect(text.output.contains("0.0% done"), "\(text.output)")
        #expect(text.output.contains("no rate (cancelled)"), "\(text.output)")
        #expect(text.output.contains("1-100") && text.output.contains("101-175"), "\(text.output)")

        let json = try await BadInvocationTests.invoke(["status", "--run", "seeds", "--shards", "--json"], environment: Self.environment(database))
        guard case .array(let runs) = try JSONValue.parse(json.output.trimmingCharacters(in: .whitespacesAndNewlines)), let run = runs.first else {
            Issue.record("not a JSON array: \(json.output)")
            return
        }
        #expect(run["state"] == .string("cancelled"))
        #expect(run["tasks_per_minute"] == .null)
        #expect(run["rows_cancelled"] == .number(175))
        guard case .array(let shards)? = run["shards"] else { Issue.record("no shards in \(json.output)"); return }
        #expect(shards.count == 2)
    }

    /// A gzip corpus by path and a zstd one on standard input become exactly the tasks the plain file gives.
    @Test func compressedCorporaSubmitLikePlainOnes() async throws {
        let database = try await TestPostgres.database()
        let scratch = NSTemporaryDirectory() + "treeinstruct-compressed-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let plain = TestCorpora.path("alpaca-gpt4-4k.sharegpt.jsonl")
        let shell = """
            gzip -c '\(plain)' > '\(scratch)/corpus.data' &&
            '\(WorkerProcess.executable)' submit --corpus '\(scratch)/corpus.data' --run gz --max-words 250 --json &&
            if command -v zstd >/dev/null; then zstd -q -c '\(plain)'; else gzip -c '\(plain)'; fi |
              '\(WorkerProcess.executable)' submit --corpus - --run piped --max-words 250 --json
            """
        let submitted = try await BadInvocationTests.invoke(["/bin/sh", "-c", shell], environment: Self.environment(database), program: nil)
        #expect(submitted.status == 0, "\(submitted.error)")
        let reports = submitted.output.split(separator: "\n").map { try? JSONValue.parse(String($0)) }
        #expect(reports.count == 2)
        for report in reports {
            #expect(report?["tasks_created"] == .number(4000), "\(submitted.output)")
        }
        #expect(
            try await EndToEndTests.count(
                database,
                """
                SELECT count(*) FROM $schema.tasks a JOIN $schema.tasks b ON a.content_hash = b.content_hash AND a.run_id <> b.run_id
                """) == 2 * 4000)
    }

    @Test func watchIntoAPipePrintsPlainLines() async throws {
        let database = try await Self.seeded()
        let watched = try await BadInvocationTests.invoke(
            [
                "/usr/bin/timeout", "-s", "INT", "2", WorkerProcess.executable,
                "status", "--watch", "--interval", "0.4", "--run", "seeds",
            ],
            environment: Self.environment(database), program: nil)
        let lines = watched.output.split(separator: "\n")
        #expect(lines.count >= 3, "\(watched.output) \(watched.error)")
        for line in lines {
            #expect(line.contains(" seeds in progress 0.0% done 0/175 rows"), "\(line)")
            #expect(!line.contains("\u{1B}"))
            #expect(line.first?.isNumber == true, "not time-stamped: \(line)")
        }
    }
}
