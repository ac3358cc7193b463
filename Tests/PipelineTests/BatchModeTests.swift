import Coordinator
import CorpusIngest
import EndpointSimulator
import Foundation
import LLMClient
import PostgresTestSupport
import TaskStore
import TestCorpora
import Testing
import TreeInstructCore

/// Batch mode as users run it: real PostgreSQL, the simulator's Batch API over HTTP, real
/// worker processes packing, polling and applying batches.
@Suite("Batch mode", .serialized, .enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
struct BatchModeTests {
    static let config = RunConfig(
        rewrite: RewriteSettings(nodesToAdd: 3, maxWords: 250), rounds: 1, respond: true, model: "treeinstruct-simulator", maxAttempts: 6)

    /// 300 rows in batches of at most 100 requests, with 5% of requests failed by the provider
    /// and every third batch expiring half answered: every task ends, each answered once, and
    /// the export is the one a live run of the same corpus gives.
    @Test func batchRunEndsAsALiveRunDoes() async throws {
        let database = try await TestPostgres.database()
        let corpus = try Self.corpus(rows: 300)
        defer { try? FileManager.default.removeItem(atPath: corpus) }
        var batchConfig = Self.config
        batchConfig.batch = BatchSettings()
        let submission = Submission(queue: database.queue)
        let batchRun = try await submission.submit(CorpusFile(path: corpus), runName: "batch", config: batchConfig)
        let liveRun = try await submission.submit(CorpusFile(path: corpus), runName: "live", config: Self.config)
        #expect(batchRun.tasksCreated == 300 && liveRun.tasksCreated == 300)

        var simulator = SimulatorConfiguration(port: 0, seed: 7)
        simulator.batch = BatchProfile(completionDelay: .milliseconds(600), window: .seconds(3), failureRate: 0.05, expireEvery: 3)
        try await SimulatorServer.withRunning(simulator, logger: EndToEndTests.quiet) { baseURL in
            let workers = try (0..<3).map { _ in
                try WorkerProcess(
                    settings: database.settings, schema: database.schema, baseURL: baseURL,
                    arguments: ["--run", "batch", "--batch-requests", "100", "--batch-poll-seconds", "0.2", "--exit-when-done"],
                    logLevel: "info")
            }
            for worker in workers {
                let status = await worker.wait(seconds: 150)
                #expect(status == 0, "worker log: \(worker.log.suffix(3000))")
            }
            let live = try WorkerProcess(
                settings: database.settings, schema: database.schema, baseURL: baseURL, arguments: ["--run", "live", "--exit-when-done"])
            #expect(await live.wait(seconds: 120) == 0, "live worker log: \(live.log.suffix(2000))")
            let stats = try await EndToEndTests.get(baseURL.replacingOccurrences(of: "/v1", with: "") + "/sim/stats")
            let batches = try #require(try JSONValue.parse(stats.body)["batches"])
            // Some batches expired, some requests failed: both paths were taken.
            for counter in ["batches_expired", "requests_failed"] {
                guard case .number(let count)? = batches[counter] else {
                    Issue.record("no \(counter) in \(stats.body)")
                    continue
                }
                #expect(count >= 1, "\(counter): \(stats.body)")
            }
        }

        let run = "(SELECT id FROM $schema.runs WHERE name = 'batch')"
        #expect(try await EndToEndTests.count(database, "SELECT count(*) FROM $schema.tasks WHERE run_id = \(run) AND state <> 'succeeded'") == 0)
        #expect(try await EndToEndTests.count(database, "SELECT count(*) FROM $schema.tasks WHERE run_id = \(run)") == 600)
        #expect(try await EndToEndTests.count(database, "SELECT count(*) FROM $schema.results WHERE run_id = \(run)") == 600)
        // One accepted answer per task: no answer applied twice.
        #expect(
            try await EndToEndTests.count(
                database, "SELECT count(*) FROM $schema.attempts WHERE run_id = \(run) AND outcome = 'succeeded'") == 600)
        // Attempts stay bounded: returned tasks (expired batches) use none.
        #expect(try await EndToEndTests.count(database, "SELECT max(attempts) FROM $schema.tasks WHERE run_id = \(run)") <= 6)
        #expect(
            try await EndToEndTests.count(
                database, "SELECT count(*) FROM $schema.batches WHERE run_id = \(run) AND state NOT IN ('applied', 'abandoned')") == 0)
        #expect(
            try await EndToEndTests.count(database, "SELECT count(*) FROM $schema.attempts WHERE run_id = \(run) AND code = 'batch_expired'") > 0)
        #expect(try await EndToEndTests.count(database, "SELECT count(DISTINCT worker_id) FROM $schema.attempts WHERE worker_id LIKE 'batch:%'") >= 6)

        let batchRows = try await Self.export(database, runID: batchRun.runID)
        let liveRows = try await Self.export(database, runID: liveRun.runID)
        #expect(batchRows.count == 300)
        #expect(batchRows == liveRows)
    }

    /// A worker that made a batch at the provider and died before recording it: the next worker
    /// finds the batch by its reference and adopts it, so it is neither sent nor paid twice.
    @Test func aBatchWhosePackerDiedIsFoundNotSentAgain() async throws {
        let database = try await TestPostgres.database()
        let corpus = try Self.corpus(rows: 40)
        defer { try? FileManager.default.removeItem(atPath: corpus) }
        var config = Self.config
        config.respond = false
        config.batch = BatchSettings()
        _ = try await Submission(queue: database.queue).submit(CorpusFile(path: corpus), runName: "orphan", config: config)
        var simulator = SimulatorConfiguration(port: 0, seed: 3)
        simulator.batch = BatchProfile(completionDelay: .milliseconds(300))
        try await SimulatorServer.withRunning(simulator, logger: EndToEndTests.quiet) { baseURL in
            // The dying worker: it claims, sends and stops before recording, its job held for 1 s
            // (its tasks for 3 s).
            let opened = try #require(
                try await database.queue.batches.openBatch(workerID: "doomed", endpoint: baseURL, limit: 100, lease: .seconds(1), runIDs: nil))
            #expect(opened.tasks.count == 40)
            let chat = ChatClient(endpoint: EndpointConfiguration(baseURL: baseURL, apiKey: APIKey("sk-test-secret-key")))
            let requests = opened.tasks.map { task in
                BatchRequest(customID: "task-\(task.id)", prompt: Self.prompt(task), model: Self.config.model, temperature: nil, maxTokens: 1000)
            }
            _ = try await chat.batches.submit(
                requests, completionWindow: "24h", metadata: ["treeinstruct_batch": opened.reference], maxFileBytes: 1 << 20)
            try await chat.shutdown()
            try await Task.sleep(for: .seconds(1.1))
            let worker = try WorkerProcess(
                settings: database.settings, schema: database.schema, baseURL: baseURL,
                arguments: ["--batch-poll-seconds", "0.2", "--exit-when-done"], logLevel: "info")
            #expect(await worker.wait(seconds: 90) == 0, "worker log: \(worker.log.suffix(2000))")
            #expect(worker.log.contains("found at the provider"), "\(worker.log.suffix(2000))")
            let stats = try await EndToEndTests.get(baseURL.replacingOccurrences(of: "/v1", with: "") + "/sim/stats")
            #expect(try JSONValue.parse(stats.body)["batches"]?["batches_created"] == .number(1), "\(stats.body)")
        }
        #expect(try await EndToEndTests.count(database, "SELECT count(*) FROM $schema.tasks WHERE state = 'succeeded'") == 40)
        #expect(try await EndToEndTests.count(database, "SELECT count(*) FROM $schema.batches WHERE state = 'applied'") == 1)
    }

    /// `cancel` on a run with a batch at the provider: a worker cancels the batch there, and its
    /// tasks end cancelled, none answered.
    @Test func cancellingARunCancelsItsBatchesAtTheProvider() async throws {
        let database = try await TestPostgres.database()
        let corpus = try Self.corpus(rows: 30)
        defer { try? FileManager.default.removeItem(atPath: corpus) }
        var config = Self.config
        config.batch = BatchSettings()
        let run = try await Submission(queue: database.queue).submit(CorpusFile(path: corpus), runName: "stopped", config: config)
        var simulator = SimulatorConfiguration(port: 0, seed: 3)
        simulator.batch = BatchProfile(completionDelay: .seconds(60))
        try await SimulatorServer.withRunning(simulator, logger: EndToEndTests.quiet) { baseURL in
            let worker = try WorkerProcess(
                settings: database.settings, schema: database.schema, baseURL: baseURL,
                arguments: ["--batch-poll-seconds", "0.2", "--exit-when-done"], logLevel: "info")
            for _ in 0..<100 where try await EndToEndTests.count(database, "SELECT count(*) FROM $schema.batches WHERE state = 'open'") == 0 {
                try await Task.sleep(for: .milliseconds(100))
            }
            try await database.queue.runs.cancelRun(id: run.runID)
            #expect(await worker.wait(seconds: 60) == 0, "worker log: \(worker.log.suffix(2000))")
        }
        #expect(try await EndToEndTests.count(database, "SELECT count(*) FROM $schema.tasks WHERE state = 'cancelled'") == 30)
        #expect(try await EndToEndTests.count(database, "SELECT count(*) FROM $schema.results") == 0)
        #expect(
            try await EndToEndTests.count(database, "SELECT count(*) FROM $schema.batches WHERE provider_status = 'cancelled' AND state = 'applied'")
                == 1)
    }

    /// `mode --run NAME live`: a batch run's tasks are called live from then on (the operator
    /// finishing a run's last tasks without waiting for batches), and back with `batch`.
    @Test func aBatchRunSwitchedToLiveIsCalledLive() async throws {
        let database = try await TestPostgres.database()
        let corpus = try Self.corpus(rows: 20)
        defer { try? FileManager.default.removeItem(atPath: corpus) }
        var config = Self.config
        config.batch = BatchSettings()
        _ = try await Submission(queue: database.queue).submit(CorpusFile(path: corpus), runName: "switched", config: config)
        let environment = StatusCommandTests.environment(database)
        let switched = try await BadInvocationTests.invoke(["mode", "--run", "switched", "live"], environment: environment)
        #expect(switched.status == 0, "\(switched.error)")
        var simulator = SimulatorConfiguration(port: 0, seed: 3)
        simulator.batch = BatchProfile(completionDelay: .seconds(600))  // a batch would never end in time
        try await SimulatorServer.withRunning(simulator, logger: EndToEndTests.quiet) { baseURL in
            let worker = try WorkerProcess(
                settings: database.settings, schema: database.schema, baseURL: baseURL, arguments: ["--exit-when-done"])
            #expect(await worker.wait(seconds: 60) == 0, "worker log: \(worker.log.suffix(2000))")
        }
        #expect(try await EndToEndTests.count(database, "SELECT count(*) FROM $schema.tasks WHERE state = 'succeeded'") == 40)
        #expect(try await EndToEndTests.count(database, "SELECT count(*) FROM $schema.batches") == 0)
        let back = try await BadInvocationTests.invoke(["mode", "--run", "switched", "batch"], environment: environment)
        #expect(back.status == 0, "\(back.error)")
        #expect(try await database.queue.runs.findRun(named: "switched")?.config.batch == BatchSettings())
        let unknown = try await BadInvocationTests.invoke(["mode", "--run", "nope", "live"], environment: environment)
        #expect(unknown.status == 66 && unknown.error.contains("no run named"), "\(unknown.error)")
    }

    static func prompt(_ task: ClaimedTask) -> ChatPrompt {
        RewritePrompt.make(instruction: task.instruction, input: task.input, settings: config.rewrite)
    }

    /// Every exported row as (line, instruction, output).
    static func export(_ database: Database, runID: Int64) async throws -> [String] {
        let page = try await database.queue.results.exportPage(runID: runID, after: .start, difficulty: nil, lineage: false, limit: 10_000)
        return page.map { "\($0.sourceLine)\t\($0.instruction)\t\($0.output ?? "")" }
    }

    /// The first `rows` lines of alpaca-gpt4-1k, in a file of their own.
    static func corpus(rows: Int) throws -> String {
        let lines = try String(contentsOfFile: EndToEndTests.corpus, encoding: .utf8).split(separator: "\n").prefix(rows)
        let path = NSTemporaryDirectory() + "batch-corpus-\(UUID().uuidString).jsonl"
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
