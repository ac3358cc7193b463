import Coordinator
import CorpusIngest
import EndpointSimulator
import Foundation
import Logging
import PostgresTestSupport
import TaskStore
import TestCorpora
import Testing
import TreeInstructCore

/// Servers smaller than OpenAI's, as users run them: one that takes json_object but answers
/// json_schema with HTTP 500 (llama-cpp-python's server). Real worker processes, real PostgreSQL.
@Suite("Small servers", .enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
struct SmallServerTests {
    static let quiet = Logger(label: "small-servers", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test func aServerWithoutJSONSchemaFinishesTheRunInJSONObject() async throws {
        let database = try await TestPostgres.database()
        let config = RunConfig(rewrite: RewriteSettings(nodesToAdd: 3, maxWords: 250), rounds: 1, respond: true, model: "small", maxAttempts: 3)
        let summary = try await Submission(queue: database.queue).submit(
            CorpusFile(path: TestCorpora.path("self-instruct-seed-175.jsonl")), runName: "small", config: config)
        try await SimulatorServer.withRunning(
            SimulatorConfiguration(port: 0, server: ServerLimits(forms: .jsonObject)), logger: Self.quiet
        ) { baseURL in
            let workers = try (0..<2).map { _ in
                try WorkerProcess(
                    settings: database.settings, schema: database.schema, baseURL: baseURL, arguments: ["--concurrency", "4", "--exit-when-done"],
                    logLevel: "info")
            }
            for worker in workers {
                let status = await worker.wait(seconds: 300)
                #expect(status == 0, "worker log: \(worker.log.suffix(2000))")
            }
            let log = workers.map(\.log).joined()
            #expect(log.contains("the endpoint accepts this dialect") || log.contains("using the dialect the cluster found"))
        }
        let count = { (sql: String) in try await EndToEndTests.count(database, sql) }
        #expect(try await count("SELECT count(*) FROM $schema.tasks WHERE run_id = \(summary.runID) AND state <> 'succeeded'") == 0)
        #expect(try await count("SELECT count(*) FROM $schema.tasks WHERE run_id = \(summary.runID)") == 2 * summary.tasksCreated)
        #expect(
            try await count("SELECT count(*) FROM $schema.attempts WHERE http_status = 500 OR code LIKE 'http_5%'") == 0,
            "no attempt was lost to the form")
        #expect(try await count("SELECT count(*) FROM $schema.endpoint_dialects WHERE model = 'small' AND dialect = 'json_object'") == 1)
    }
}
