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

    /// One slot and 2 s per answer: `--concurrency auto` keeps the slot busy without queueing
    /// calls into the timeout. Throughput is timed by the attempts themselves, from the first
    /// call to the last answer, so start-up is not counted. The bound is 20% over the ideal: with
    /// every suite running at once on two cores a run took 30.8 s of the ideal 28.
    @Test func autoConcurrencyKeepsAOneSlotServerBusyWithoutTimeouts() async throws {
        let database = try await TestPostgres.database()
        let rows = 14
        let corpus = NSTemporaryDirectory() + "one-slot-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: corpus) }
        let lines = try String(contentsOfFile: TestCorpora.path("self-instruct-seed-175.jsonl"), encoding: .utf8).split(separator: "\n")
        try (lines.prefix(rows).joined(separator: "\n") + "\n").write(toFile: corpus, atomically: true, encoding: .utf8)
        let config = RunConfig(rewrite: RewriteSettings(nodesToAdd: 3, maxWords: 250), rounds: 1, respond: false, model: "small", maxAttempts: 3)
        let summary = try await Submission(queue: database.queue).submit(CorpusFile(path: corpus), runName: "one-slot", config: config)
        #expect(summary.tasksCreated == rows)
        let server = SimulatorConfiguration(port: 0, latency: LatencyProfile(milliseconds: 2000), server: ServerLimits(slots: 1))
        try await SimulatorServer.withRunning(server, logger: Self.quiet) { baseURL in
            // A 10 s timeout: five calls queued on the one slot would already run into it.
            let worker = try WorkerProcess(
                settings: database.settings, schema: database.schema, baseURL: baseURL,
                arguments: ["--concurrency", "auto", "--request-timeout", "10", "--exit-when-done", "--run", "one-slot"], logLevel: "debug")
            let status = await worker.wait(seconds: 300)
            #expect(status == 0, "worker log: \(worker.log.suffix(2000))")
        }
        let count = { (sql: String) in try await EndToEndTests.count(database, sql) }
        #expect(try await count("SELECT count(*) FROM $schema.tasks WHERE state = 'succeeded'") == rows)
        #expect(try await count("SELECT count(*) FROM $schema.attempts WHERE outcome <> 'succeeded'") == 0, "no timeouts, no retries")
        let span = try await count(
            "SELECT (extract(epoch FROM max(finished_at) - min(started_at)) * 1000)::int8 FROM $schema.attempts")
        let ideal = Double(rows) * 2.0
        #expect(Double(span) / 1000 <= ideal * 1.2, "\(rows) answers of 2 s on one slot took \(span) ms; ideal \(ideal) s")
    }

    /// `probe --endpoint` finds out before a run what the workers would: the form the server takes.
    @Test func probeTellsWhichFormTheServerTakes() async throws {
        try await SimulatorServer.withRunning(
            SimulatorConfiguration(port: 0, server: ServerLimits(forms: .jsonObject)), logger: Self.quiet
        ) { baseURL in
            let outcome = try await BadInvocationTests.invoke(
                ["probe", "--endpoint", "--base-url", baseURL, "--model", "small"], environment: ["OPENAI_API_KEY": "unused"])
            #expect(outcome.status == 0, "\(outcome.error)")
            #expect(outcome.output.contains("structured output: json_object; the rewrite passes validation"), "\(outcome.output)")
            #expect(outcome.error.contains("json_schema: HTTP 500"), "\(outcome.error)")
        }
        let gone = try await BadInvocationTests.invoke(
            ["probe", "--endpoint", "--base-url", "http://127.0.0.1:9/v1", "--connect-timeout", "1"], environment: [:])
        #expect(gone.status == 69)
        #expect(gone.error.split(separator: "\n").count == 1, "one line: \(gone.error)")
    }
}
