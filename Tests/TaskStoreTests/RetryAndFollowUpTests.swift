import Foundation
import PostgresTestSupport
import Testing
import TaskStore
import TreeInstructCore

@Suite("Retries, follow-ups, rerun, cancel", .enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
struct RetryAndFollowUpTests {
    static let transient = AttemptFailure(outcome: "error", code: "http_503", detail: "unavailable", retryable: true)

    @Test("a retry waits for its backoff and attempts are bounded")
    func retriesBackOff() async throws {
        let queue = try await TestQueue.make()
        _ = try await QueueFixtures.seed(queue, config: QueueFixtures.config(maxAttempts: 3), records: QueueFixtures.records(1))
        var task = try #require(try await queue.leases.claimTasks(workerID: "w", limit: 1, lease: .seconds(60)).first)
        #expect(
            try await queue.leases.fail(task, workerID: "w", failure: Self.transient, retryDelay: .seconds(3), report: CallReport(httpStatus: 503))
                == .recorded)
        // Not due yet (3 s: room for a loaded machine between the two statements).
        #expect(try await queue.leases.claimTasks(workerID: "w", limit: 1, lease: .seconds(60)).isEmpty)
        try await Task.sleep(for: .milliseconds(3200))
        task = try #require(try await queue.leases.claimTasks(workerID: "w", limit: 1, lease: .seconds(60)).first)
        #expect(task.attempt == 2)
        _ = try await queue.leases.fail(task, workerID: "w", failure: Self.transient, retryDelay: .seconds(0), report: CallReport())
        task = try #require(try await queue.leases.claimTasks(workerID: "w", limit: 1, lease: .seconds(60)).first)
        #expect(task.attempt == 3)
        _ = try await queue.leases.fail(task, workerID: "w", failure: Self.transient, retryDelay: .seconds(0), report: CallReport())
        #expect(try await queue.leases.claimTasks(workerID: "w", limit: 1, lease: .seconds(60)).isEmpty)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.tasks WHERE state = 'failed' AND attempts = 3") == 1)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.attempts WHERE code = 'http_503'") == 3)
    }

    @Test("a throttled try does not use up an attempt; a permanent error fails at once")
    func throttlingAndPermanentErrors() async throws {
        let queue = try await TestQueue.make()
        _ = try await QueueFixtures.seed(queue, config: QueueFixtures.config(maxAttempts: 1), records: QueueFixtures.records(2))
        let tasks = try await queue.leases.claimTasks(workerID: "w", limit: 2, lease: .seconds(60))
        let throttled = AttemptFailure(outcome: "error", code: "http_429", detail: "slow down", retryable: true, countsAsAttempt: false)
        _ = try await queue.leases.fail(tasks[0], workerID: "w", failure: throttled, retryDelay: .seconds(0), report: CallReport(httpStatus: 429))
        let permanent = AttemptFailure(outcome: "error", code: "http_400", detail: "context too long", retryable: false)
        _ = try await queue.leases.fail(tasks[1], workerID: "w", failure: permanent, retryDelay: .seconds(0), report: CallReport(httpStatus: 400))
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.tasks WHERE state = 'pending' AND attempts = 0") == 1)
        #expect(
            try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.tasks WHERE state = 'failed' AND last_error_code = 'http_400'") == 1)
    }

    @Test("R rounds chain rewrite tasks and the respond stage follows the last round")
    func followUpsChain() async throws {
        let queue = try await TestQueue.make()
        let config = QueueFixtures.config(rounds: 2, respond: true)
        let run = try await QueueFixtures.seed(queue, config: config, records: QueueFixtures.records(1))
        var stages: [String] = []
        while let task = try await queue.leases.claimTasks(workerID: "w", limit: 1, lease: .seconds(60)).first {
            stages.append("\(task.stage.rawValue)\(task.round)")
            let output: TaskOutput = task.stage == .respond ? .response("The answer.") : QueueFixtures.rewrite(of: task)
            _ = try await queue.leases.complete(
                task, workerID: "w", output: output, followUp: FollowUp.after(task, output: output, config: config),
                difficulty: config.difficulty(afterRound: task.round), report: CallReport())
        }
        #expect(stages == ["rewrite1", "rewrite2", "respond2"])
        let exported = try await queue.results.exportPage(runID: run.id, after: .start, difficulty: nil, lineage: true, limit: 10)
        let row = try #require(exported.first)
        #expect(exported.count == 1)
        #expect(row.output == "The answer.")
        #expect(row.difficulty == 6)
        #expect(row.input == "input 1")
        #expect(row.instruction.hasSuffix("constraints. Harder, with three added constraints."))
        #expect(row.lineageJSON?.contains("\"round\": 2") == true)
    }

    @Test("re-submitting the same records changes nothing; rerun resets failed tasks and keeps history")
    func dedupAndRerun() async throws {
        let queue = try await TestQueue.make()
        let records = QueueFixtures.records(20)
        let run = try await QueueFixtures.seed(queue, config: QueueFixtures.config(maxAttempts: 1), records: records)
        #expect(try await queue.runs.insertShard(records, sourceFile: "corpus.jsonl", run: run) == 0)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.shards") == 1)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.tasks") == 20)
        let permanent = AttemptFailure(outcome: "rejected", code: "too_short", detail: "short", retryable: false)
        for task in try await queue.leases.claimTasks(workerID: "w", limit: 5, lease: .seconds(60)) {
            _ = try await queue.leases.fail(task, workerID: "w", failure: permanent, retryDelay: .seconds(0), report: CallReport())
        }
        #expect(try await queue.runs.rerun(runID: run.id, scope: .failed) == 5)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.tasks WHERE state = 'pending' AND attempts = 0") == 20)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.attempts WHERE code = 'too_short'") == 5)
    }

    @Test("rerun of everything restarts each row at round one and replaces its results")
    func rerunAll() async throws {
        let queue = try await TestQueue.make()
        let config = QueueFixtures.config(rounds: 2)
        let run = try await QueueFixtures.seed(queue, config: config, records: QueueFixtures.records(3))
        func drain() async throws {
            while let task = try await queue.leases.claimTasks(workerID: "w", limit: 1, lease: .seconds(60)).first {
                let output = QueueFixtures.rewrite(of: task)
                _ = try await queue.leases.complete(
                    task, workerID: "w", output: output, followUp: FollowUp.after(task, output: output, config: config),
                    difficulty: config.difficulty(afterRound: task.round), report: CallReport())
            }
        }
        try await drain()
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.results") == 6)
        #expect(try await queue.runs.rerun(runID: run.id, scope: .all) == 3)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.results") == 0)
        try await drain()
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.results") == 6)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.tasks WHERE state = 'succeeded'") == 6)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.attempts WHERE outcome = 'succeeded'") == 12)
    }

    @Test("cancelling a run stops its pending tasks and their follow-ups")
    func cancel() async throws {
        let queue = try await TestQueue.make()
        let config = QueueFixtures.config(rounds: 2)
        let run = try await QueueFixtures.seed(queue, config: config, records: QueueFixtures.records(4))
        let running = try #require(try await queue.leases.claimTasks(workerID: "w", limit: 1, lease: .seconds(60)).first)
        #expect(try await queue.runs.cancelRun(id: run.id) == 3)
        let output = QueueFixtures.rewrite(of: running)
        #expect(
            try await queue.leases.complete(
                running, workerID: "w", output: output, followUp: FollowUp.after(running, output: output, config: config),
                difficulty: 3, report: CallReport()) == .recorded)
        #expect(try await queue.leases.claimTasks(workerID: "w", limit: 10, lease: .seconds(60)).isEmpty)
        #expect(try await queue.progress.openTaskCount(runIDs: [run.id]) == 0)
    }

    @Test("a run name cannot be reused with another method")
    func runConfigMismatch() async throws {
        let queue = try await TestQueue.make()
        _ = try await queue.runs.createOrFindRun(name: "r", config: QueueFixtures.config(rounds: 1))
        #expect(try await queue.runs.createOrFindRun(name: "r", config: QueueFixtures.config(rounds: 1)).config.rounds == 1)
        await #expect(throws: RunConfigMismatch.self) { try await queue.runs.createOrFindRun(name: "r", config: QueueFixtures.config(rounds: 2)) }
    }
}
