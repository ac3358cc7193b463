import AsyncHTTPClient
import Coordinator
import CorpusIngest
import EmbeddedPostgres
import EndpointSimulator
import Foundation
import Logging
import PostgresNIO
import PostgresTestSupport
import TaskStore
import Testing
import TreeInstructCore

/// Hostile text survives byte for byte, and the API key is nowhere it should not be.
@Suite("Security", .serialized, .enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
struct SecurityTests {
    static let hostile: [(instruction: String, input: String)] = [
        ("Explain what this does: '; DROP TABLE tasks; -- and why it is dangerous.", "Robert'); DELETE FROM results; --"),
        ("Summarize the quote \"It's a \\\"test\\\"\" in one sentence.", "C:\\Users\\admin\\file.txt \\n \\\\server\\share"),
        ("Describe the family emoji 👩‍👩‍👧‍👦 and the flag 🏳️‍🌈 in a short paragraph.", "🙂 é (e + \u{301}) ﬁ ß"),
        ("Translate this greeting into English and explain its parts.", "مرحبا بالعالم \u{200F}שלום עולם\u{200E} mixed ‮reversed‬"),
        ("List the placeholders in this template and what each one means.", "$1 $$ $tag$ %s %n {0} ${HOME} `rm -rf /` \u{0007}"),
        ("Write a haiku about the sea at night.", ""),
    ]

    static func text(_ database: Database, _ sql: String) async throws -> String {
        let rows = try await database.client.query(PostgresQuery(unsafeSQL: sql.replacingOccurrences(of: "$schema", with: "\"\(database.schema)\"")))
        var out = ""
        for try await value in rows.decode(String?.self) { out += (value ?? "") + "\n" }
        return out
    }

    /// Every row of every table, as text.
    static func dump(_ database: Database) async throws -> String {
        var all = ""
        for table in ["runs", "shards", "tasks", "results", "attempts", "ingest_errors", "workers", "rate_budgets", "schema_migrations"] {
            all += try await text(database, "SELECT t::text FROM $schema.\(table) t")
        }
        return all
    }

    @Test func hostileTextRoundTripsAndTheKeyLeaksNowhere() async throws {
        let key = "sk-live-\(UUID().uuidString)"
        let wrongKey = "sk-wrong-\(UUID().uuidString)"
        let database = try await TestPostgres.database()
        let corpus = NSTemporaryDirectory() + "hostile-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: corpus) }
        let lines = try Self.hostile.map { row in
            String(
                decoding: try JSONSerialization.data(withJSONObject: ["instruction": row.instruction, "input": row.input, "output": ""]),
                as: UTF8.self)
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: corpus, atomically: true, encoding: .utf8)
        let config = RunConfig(
            rewrite: RewriteSettings(nodesToAdd: 3, maxWords: 250), rounds: 1, respond: true,
            model: "treeinstruct-simulator", maxAttempts: 3)
        let summary = try await Submission(queue: database.queue).submit(CorpusFile(path: corpus), runName: "hostile", config: config)
        #expect(summary.tasksCreated == Self.hostile.count)

        var simulator = SimulatorConfiguration(port: 0)
        simulator.apiKey = key
        // Like some gateways, the endpoint quotes the Authorization header in its error bodies.
        simulator.faults.echoesAuthorization = true
        try await SimulatorServer.withRunning(simulator, logger: EndToEndTests.quiet) { baseURL in
            // A wrong key first: every call is refused (401, permanent) and the worker stops; the
            // key it sent must not surface in its command line, its log or the database.
            let refused = try WorkerProcess(
                settings: database.settings, schema: database.schema, baseURL: baseURL, apiKey: wrongKey,
                arguments: ["--concurrency", "4"], logLevel: "trace")
            #expect(!(await Self.commandLine(of: refused)).contains(wrongKey))
            _ = await refused.wait(seconds: 60)
            #expect(refused.log.contains("401"), "the refusal should be logged: \(refused.log.suffix(1000))")
            #expect(!refused.log.contains(wrongKey))
            #expect(refused.log.contains("refuses every call"))
            // A bad key burns no attempts: the worker releases what it holds and stops.
            #expect(
                try await EndToEndTests.count(database, "SELECT count(*) FROM $schema.tasks WHERE state = 'pending' AND attempts = 0")
                    == Self.hostile.count)

            // Then the right key; its metrics are read before it stops.
            let port = try EmbeddedPostgres.freePort()
            let worker = try WorkerProcess(
                settings: database.settings, schema: database.schema, baseURL: baseURL, apiKey: key,
                arguments: ["--concurrency", "4", "--metrics-port", String(port)], logLevel: "trace")
            #expect(!(await Self.commandLine(of: worker)).contains(key))
            let deadline = ContinuousClock.now + .seconds(120)
            while try await EndToEndTests.count(database, "SELECT count(*) FROM $schema.tasks WHERE state IN ('pending', 'running')") > 0,
                ContinuousClock.now < deadline
            {
                try await Task.sleep(for: .milliseconds(200))
            }
            let metrics = try await EndToEndTests.get("http://127.0.0.1:\(port)/metrics").body
            #expect(metrics.contains("treeinstruct_tasks_succeeded_total"))
            #expect(!metrics.contains(key))
            worker.terminate()
            #expect(await worker.wait(seconds: 60) == 0, "worker log: \(worker.log.suffix(2000))")
            #expect(!worker.log.contains(key))
            #expect(worker.log.count > 10_000, "trace logging should have said a lot: \(worker.log.count) bytes")
        }
        #expect(try await EndToEndTests.count(database, "SELECT count(*) FROM $schema.tasks WHERE state <> 'succeeded'") == 0)
        let dump = try await Self.dump(database)
        #expect(!dump.contains(key))
        #expect(!dump.contains(wrongKey))
        #expect(!dump.contains(wrongKey))

        // Export through the CLI, as users do, and compare byte for byte.
        let exported = try await WorkerProcess.runCLI(
            ["export", "--schema", database.schema, "--run", "hostile", "--lineage"], settings: database.settings)
        let rows = exported.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(rows.count == Self.hostile.count)
        for (row, source) in zip(rows, Self.hostile) {
            #expect(Data(((row?["input"] as? String) ?? "").utf8) == Data(source.input.utf8))
            let rounds = row?["rounds"] as? [[String: Any]]
            #expect(Data(((rounds?.first?["instruction"] as? String) ?? "").utf8) == Data(source.instruction.utf8))
        }
        #expect(!exported.contains(key))
    }

    /// What `ps` shows for a worker: its command line from /proc, once it runs `treeinstruct work`.
    static func commandLine(of worker: WorkerProcess) async -> String {
        var line = ""
        for _ in 0..<500 where !line.contains(" work ") {  // patient: ends once the exec shows
            let data = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(worker.process.processIdentifier)/cmdline"))) ?? Data()
            line = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            try? await Task.sleep(for: .milliseconds(20))
        }
        #expect(line.contains(" work "), "never saw the worker's command line")
        return line
    }
}
