import Coordinator
import CorpusIngest
import EndpointSimulator
import Foundation
import PostgresTestSupport
import TaskStore
import TestCorpora
import Testing
import TreeInstructCore

/// The normal path, end to end, with the least-privilege roles of Ops/sql/roles.sql: a real
/// `treeinstruct work` logged in as treeinstruct_worker finishes a run (retries included) and
/// the coordinator role exports it.
@Suite("Worker role", .serialized, .enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
struct WorkerRoleTests {
    @Test func aRunFinishesWithTheWorkerRoleAlone() async throws {
        let database = try await TestPostgres.database()
        try await TestRoles.apply(to: database)
        let config = RunConfig(
            rewrite: RewriteSettings(nodesToAdd: 3, maxWords: 250), rounds: 2, respond: true, model: "treeinstruct-simulator", maxAttempts: 6)
        let corpus = TestCorpora.path("self-instruct-seed-175.jsonl")
        _ = try await Submission(queue: database.queue).submit(CorpusFile(path: corpus), runName: "as-worker", config: config)

        var simulator = SimulatorConfiguration(port: 0)
        // Some calls fail, so retries (fail_task) are taken as well as completions.
        simulator.faults.serverError = 0.05
        simulator.faults.malformed = 0.05
        simulator.faults.invalidOutput = 0.05  // rejections: their answers are stored through fail_task (0016)
        try await SimulatorServer.withRunning(simulator, logger: EndToEndTests.quiet) { baseURL in
            let worker = try WorkerProcess(
                settings: TestRoles.settings("treeinstruct_worker", like: database), schema: database.schema, baseURL: baseURL,
                arguments: ["--concurrency", "16", "--exit-when-done"])
            #expect(await worker.wait(seconds: 240) == 0, "worker log: \(worker.log.suffix(2000))")
            #expect(!worker.log.contains("permission denied"), "\(worker.log.suffix(2000))")
        }
        #expect(try await EndToEndTests.count(database, "SELECT count(*) FROM $schema.tasks WHERE state <> 'succeeded'") == 0)
        #expect(try await EndToEndTests.count(database, "SELECT count(*) FROM $schema.tasks") == 175 * 3)
        #expect(try await EndToEndTests.count(database, "SELECT count(*) FROM $schema.attempts WHERE outcome <> 'succeeded'") > 0)
        #expect(try await EndToEndTests.count(database, "SELECT count(*) FROM $schema.attempts WHERE outcome = 'rejected' AND answer <> ''") > 0)
        #expect(try await EndToEndTests.count(database, "SELECT count(*) FROM $schema.attempts WHERE outcome = 'rejected' AND answer IS NULL") == 0)
        #expect(
            try await EndToEndTests.count(database, "SELECT count(*) FROM $schema.attempts WHERE outcome <> 'rejected' AND answer IS NOT NULL") == 0)

        let exported = try await WorkerProcess.runCLI(
            ["export", "--schema", database.schema, "--run", "as-worker"], settings: TestRoles.settings("treeinstruct_coordinator", like: database))
        #expect(exported.split(separator: "\n").count == 175)
    }

    /// Batch mode with the worker role alone: packing, polling, applying (answers, provider
    /// failures, an expired batch) need no privilege beyond Ops/sql/roles.sql's.
    @Test func aBatchRunFinishesWithTheWorkerRoleAlone() async throws {
        let database = try await TestPostgres.database()
        try await TestRoles.apply(to: database)
        let config = RunConfig(
            rewrite: RewriteSettings(nodesToAdd: 3, maxWords: 250), rounds: 1, respond: true, model: "treeinstruct-simulator", maxAttempts: 6,
            batch: BatchSettings())
        let corpus = TestCorpora.path("self-instruct-seed-175.jsonl")
        _ = try await Submission(queue: database.queue).submit(CorpusFile(path: corpus), runName: "batch-as-worker", config: config)
        var simulator = SimulatorConfiguration(port: 0, seed: 5)
        simulator.batch = BatchProfile(completionDelay: .milliseconds(500), window: .seconds(3), failureRate: 0.05, expireEvery: 2)
        try await SimulatorServer.withRunning(simulator, logger: EndToEndTests.quiet) { baseURL in
            let worker = try WorkerProcess(
                settings: TestRoles.settings("treeinstruct_worker", like: database), schema: database.schema, baseURL: baseURL,
                arguments: ["--batch-requests", "100", "--batch-poll-seconds", "0.2", "--exit-when-done"], logLevel: "info")
            #expect(await worker.wait(seconds: 120) == 0, "worker log: \(worker.log.suffix(2000))")
            #expect(!worker.log.contains("permission denied"), "\(worker.log.suffix(2000))")
        }
        #expect(try await EndToEndTests.count(database, "SELECT count(*) FROM $schema.tasks WHERE state <> 'succeeded'") == 0)
        #expect(try await EndToEndTests.count(database, "SELECT count(*) FROM $schema.tasks") == 175 * 2)
        #expect(try await EndToEndTests.count(database, "SELECT count(*) FROM $schema.attempts WHERE code = 'batch_expired'") > 0)
        #expect(try await EndToEndTests.count(database, "SELECT count(*) FROM $schema.batches WHERE state <> 'applied'") == 0)
    }
}
