import AsyncHTTPClient
import CorpusIngest
import EmbeddedPostgres
import Coordinator
import EndpointSimulator
import Foundation
import Logging
import PostgresNIO
import PostgresTestSupport
import TaskStore
import TestCorpora
import Testing
import TreeInstructCore

/// The product as users run it: real PostgreSQL, the simulator over HTTP, real worker processes.
@Suite("End to end", .serialized, .enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
struct EndToEndTests {
    static let quiet = Logger(label: "e2e", factory: { _ in SwiftLogNoOpLogHandler() })

    static let corpus = TestCorpora.path("alpaca-gpt4-1k.jsonl")

    static func get(_ url: String) async throws -> (status: Int, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    static func count(_ database: Database, _ sql: String) async throws -> Int {
        let rows = try await database.client.query(PostgresQuery(unsafeSQL: sql.replacingOccurrences(of: "$schema", with: "\"\(database.schema)\"")))
        for try await value in rows.decode(Int.self) { return value }
        return -1
    }

    /// alpaca-gpt4-1k with K=3, R=2 and the respond stage, by 3 worker processes. The word cap
    /// is raised to 250 because three rows of this corpus already have 92 to 109 words, so no
    /// rewrite of them can add 12 words under the paper's 100 (with 100 they fail, correctly).
    @Test func wholeCorpusTwoRoundsThreeWorkers() async throws {
        let database = try await TestPostgres.database()
        let config = RunConfig(
            rewrite: RewriteSettings(nodesToAdd: 3, maxWords: 250), rounds: 2, respond: true,
            model: "treeinstruct-simulator", maxAttempts: 6)
        let summary = try await Submission(queue: database.queue).submit(CorpusFile(path: Self.corpus), runName: "e2e", config: config)
        #expect(summary.tasksCreated == 1000)
        try await SimulatorServer.withRunning(SimulatorConfiguration(port: 0), logger: Self.quiet) { baseURL in
            let workers = try (0..<3).map { _ in
                try WorkerProcess(
                    settings: database.settings, schema: database.schema, baseURL: baseURL,
                    arguments: ["--concurrency", "16", "--exit-when-done"])
            }
            for worker in workers {
                let status = await worker.wait(seconds: 300)
                #expect(status == 0, "worker log: \(worker.log.suffix(2000))")
                #expect(!worker.log.contains("sk-test-secret-key"))
            }
        }
        #expect(try await Self.count(database, "SELECT count(*) FROM $schema.tasks WHERE state <> 'succeeded'") == 0)
        #expect(try await Self.count(database, "SELECT count(*) FROM $schema.tasks") == 3000)
        #expect(try await Self.count(database, "SELECT count(*) FROM $schema.results") == 3000)
        #expect(try await Self.count(database, "SELECT count(DISTINCT worker_id) FROM $schema.attempts") == 3)

        // Every exported row passes the validator against the instruction it was rewritten from.
        // Read in pages of 300 (four, the last one short), as the export does.
        var exported: [ExportRow] = []
        var position = ExportPosition.start
        while true {
            let page = try await database.queue.results.exportPage(
                runID: summary.runID, after: position, difficulty: nil, lineage: true, limit: 300)
            exported += page
            guard let last = page.last, page.count == 300 else { break }
            position = ExportPosition(after: last)
        }
        #expect(exported.count == 1000)
        #expect(exported.map(\.sourceLine) == exported.map(\.sourceLine).sorted())
        let originals = Dictionary(
            uniqueKeysWithValues: CorpusFile(path: Self.corpus).compactMap { item -> (Int, InstructionRecord)? in
                if case .record(let record) = item { return (record.line, record) } else { return nil }
            })
        // The trees were checked when each answer was accepted; here every text rule is re-checked.
        let textValidator = RewriteValidator(settings: RewriteSettings(nodesToAdd: 3, maxWords: 250, template: .plain))
        for row in exported {
            let original = try #require(originals[row.sourceLine])
            #expect(row.input == original.input)
            #expect(row.difficulty == 6)
            #expect(row.output?.isEmpty == false)
            let rounds = try #require(row.lineageJSON.map { try JSONValue.parse($0) })
            guard case .array(let steps) = rounds, steps.count == 2 else { Issue.record("row \(row.sourceLine) lineage"); continue }
            #expect(steps[0]["instruction"] == .string(original.instruction))
            guard case .string(let previous) = steps[1]["instruction"] else { continue }
            if case .failure(let rejection) = textValidator.validate(
                content: row.instruction, finishReason: "stop",
                instruction: previous, input: row.input)
            {
                Issue.record("row \(row.sourceLine): \(rejection)")
            }
        }
    }

    @Test func sigtermLeavesNoTaskRunning() async throws {
        let database = try await TestPostgres.database()
        let config = RunConfig(rewrite: RewriteSettings(maxWords: 250), rounds: 1, respond: false, model: "m")
        _ = try await Submission(queue: database.queue).submit(CorpusFile(path: Self.corpus), runName: "term", config: config)
        try await SimulatorServer.withRunning(
            SimulatorConfiguration(port: 0, latency: LatencyProfile(milliseconds: 400, jitterMilliseconds: 200)),
            logger: Self.quiet
        ) { baseURL in
            let metricsPort = try EmbeddedPostgres.freePort()
            let worker = try WorkerProcess(
                settings: database.settings, schema: database.schema, baseURL: baseURL,
                arguments: ["--concurrency", "32", "--grace", "5", "--metrics-port", String(metricsPort)])
            try await Task.sleep(for: .seconds(3))
            #expect(try await Self.count(database, "SELECT count(*) FROM $schema.tasks WHERE state = 'running'") > 0)
            let metrics = try await Self.get("http://127.0.0.1:\(metricsPort)/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.body.contains("treeinstruct_tasks_claimed_total"))
            #expect(metrics.body.contains("treeinstruct_llm_latency_seconds"))
            #expect(!metrics.body.contains("sk-test-secret-key"))
            #expect(try await Self.get("http://127.0.0.1:\(metricsPort)/healthz").status == 200)
            #expect(try await Self.get("http://127.0.0.1:\(metricsPort)/readyz").status == 200)
            worker.terminate()
            let status = await worker.wait(seconds: 15)
            #expect(status == 0, "worker log: \(worker.log.suffix(2000))")
        }
        #expect(try await Self.count(database, "SELECT count(*) FROM $schema.tasks WHERE state = 'running'") == 0)
        #expect(try await Self.count(database, "SELECT count(*) FROM $schema.tasks WHERE state = 'succeeded'") > 0)
        #expect(try await Self.count(database, "SELECT count(*) FROM $schema.workers WHERE stopped_at IS NOT NULL") == 1)
    }

    @Test func sigkillLosesNothingOnceTheLeaseExpires() async throws {
        let database = try await TestPostgres.database()
        let config = RunConfig(rewrite: RewriteSettings(maxWords: 250), rounds: 1, respond: false, model: "m")
        let file = NSTemporaryDirectory() + "kill-\(UUID().uuidString).jsonl"
        try Data(try String(contentsOfFile: Self.corpus, encoding: .utf8).split(separator: "\n").prefix(300).joined(separator: "\n").utf8)
            .write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        _ = try await Submission(queue: database.queue).submit(CorpusFile(path: file), runName: "kill", config: config)
        try await SimulatorServer.withRunning(
            SimulatorConfiguration(port: 0, latency: LatencyProfile(milliseconds: 300, jitterMilliseconds: 100)),
            logger: Self.quiet
        ) { baseURL in
            let victim = try WorkerProcess(
                settings: database.settings, schema: database.schema, baseURL: baseURL,
                arguments: ["--concurrency", "32", "--lease-seconds", "2"])
            try await Task.sleep(for: .seconds(2))
            victim.kill()
            _ = await victim.wait(seconds: 5)
            #expect(try await Self.count(database, "SELECT count(*) FROM $schema.tasks WHERE state = 'running'") > 0)
            let survivor = try WorkerProcess(
                settings: database.settings, schema: database.schema, baseURL: baseURL,
                arguments: ["--concurrency", "32", "--lease-seconds", "2", "--exit-when-done"])
            let status = await survivor.wait(seconds: 120)
            #expect(status == 0, "worker log: \(survivor.log.suffix(2000))")
        }
        #expect(try await Self.count(database, "SELECT count(*) FROM $schema.tasks WHERE state = 'succeeded'") == 300)
        #expect(try await Self.count(database, "SELECT count(*) FROM $schema.results") == 300)
        #expect(try await Self.count(database, "SELECT count(*) FROM $schema.attempts WHERE outcome = 'lost'") > 0)
    }
}
