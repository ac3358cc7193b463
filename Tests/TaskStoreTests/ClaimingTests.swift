import Foundation
import PostgresTestSupport
import Testing
import TaskStore
import TreeInstructCore

@Suite("Claiming and finishing", .enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
struct ClaimingTests {
    @Test("8 concurrent claimers over 10,000 tasks claim each exactly once")
    func concurrentClaimsAreExclusive() async throws {
        let queue = try await TestQueue.make()
        let run = try await QueueFixtures.seed(queue, records: QueueFixtures.records(10_000))
        let claimedIDs = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var mine: [Int64] = []
                    while true {
                        let batch = try await queue.leases.claimTasks(workerID: "w\(worker)", limit: 50, lease: .seconds(60))
                        if batch.isEmpty { return mine }
                        for task in batch {
                            mine.append(task.id)
                            let outcome = try await queue.leases.complete(
                                task, workerID: "w\(worker)", output: QueueFixtures.rewrite(of: task),
                                followUp: nil, difficulty: 3, report: CallReport(model: "m"))
                            #expect(outcome == .recorded)
                        }
                    }
                }
            }
            return try await group.reduce(into: [Int64]()) { $0 += $1 }
        }
        #expect(claimedIDs.count == 10_000)
        #expect(Set(claimedIDs).count == 10_000)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.results") == 10_000)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.tasks WHERE state <> 'succeeded'") == 0)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.attempts WHERE outcome = 'succeeded'") == 10_000)
        #expect(try await queue.progress.openTaskCount(runIDs: [run.id]) == 0)
    }

    @Test("open tasks are a run's pending and running ones: not finished ones, not another run's")
    func openTasksCountPendingAndRunningOfTheirRuns() async throws {
        let queue = try await TestQueue.make()
        let first = try await QueueFixtures.seed(queue, name: "first", records: QueueFixtures.records(6))
        let second = try await QueueFixtures.seed(queue, name: "second", records: QueueFixtures.records(4, prefix: "Other"))
        let claimed = try await queue.leases.claimTasks(workerID: "w", limit: 3, lease: .seconds(60), runIDs: [first.id])
        let finished = try await queue.leases.complete(
            claimed[0], workerID: "w", output: QueueFixtures.rewrite(of: claimed[0]), followUp: nil, difficulty: 3, report: CallReport(model: "m"))
        #expect(finished == .recorded)
        #expect(try await queue.progress.openTaskCount(runIDs: [first.id]) == 5, "3 pending and 2 running")
        #expect(try await queue.progress.openTaskCount(runIDs: [second.id]) == 4)
        #expect(try await queue.progress.openTaskCount(runIDs: [first.id, second.id]) == 9)
        #expect(try await queue.progress.openTaskCount() == 9)
    }

    @Test("claims limited to runs take each run's oldest tasks, across runs in order, and never another run's")
    func claimsLimitedToRuns() async throws {
        let queue = try await TestQueue.make()
        let first = try await QueueFixtures.seed(queue, name: "first", records: QueueFixtures.records(30, prefix: "First"))
        let second = try await QueueFixtures.seed(queue, name: "second", records: QueueFixtures.records(30, prefix: "Second"))
        let third = try await QueueFixtures.seed(queue, name: "third", records: QueueFixtures.records(30, prefix: "Third"))
        // The first run's tasks wait longest, then the second's, then the third's.
        try await QueueFixtures.execute(
            queue, "UPDATE $schema.tasks SET run_after = now() - interval '1 hour' * (4 - run_id) + interval '1 second' * source_line")
        let oneRun = try await queue.leases.claimTasks(workerID: "w", limit: 10, lease: .seconds(60), runIDs: [third.id])
        #expect(oneRun.map(\.runID) == Array(repeating: third.id, count: 10))
        #expect(oneRun.map(\.sourceLine) == Array(1...10))
        let twoRuns = try await queue.leases.claimTasks(workerID: "w", limit: 40, lease: .seconds(60), runIDs: [first.id, second.id])
        #expect(twoRuns.map(\.runID) == Array(repeating: first.id, count: 30) + Array(repeating: second.id, count: 10))
        #expect(twoRuns.map(\.sourceLine) == Array(1...30) + Array(1...10))
        let any = try await queue.leases.claimTasks(workerID: "w", limit: 25, lease: .seconds(60))
        #expect(any.map(\.runID) == Array(repeating: second.id, count: 20) + Array(repeating: third.id, count: 5))
        #expect(any.map(\.sourceLine) == Array(11...30) + Array(11...15))
    }

    @Test("a stale lease cannot complete; the new holder's result is the only one")
    func staleLeaseIsRefused() async throws {
        let queue = try await TestQueue.make()
        _ = try await QueueFixtures.seed(queue, records: QueueFixtures.records(1))
        let first = try #require(try await queue.leases.claimTasks(workerID: "slow", limit: 1, lease: .seconds(0.2)).first)
        try await Task.sleep(for: .milliseconds(400))
        #expect(try await queue.leases.reapExpiredLeases() == 1)
        let second = try #require(try await queue.leases.claimTasks(workerID: "fast", limit: 1, lease: .seconds(60)).first)
        #expect(second.id == first.id)
        #expect(second.leaseToken != first.leaseToken)
        #expect(second.attempt == 2)
        let late = try await queue.leases.complete(
            first, workerID: "slow", output: QueueFixtures.rewrite(of: first), followUp: nil,
            difficulty: 3, report: CallReport(promptTokens: 10, completionTokens: 20))
        #expect(late == .stale)
        let lateFailure = try await queue.leases.fail(
            first, workerID: "slow", failure: AttemptFailure(outcome: "error", code: "x", detail: "", retryable: true),
            retryDelay: .seconds(0), report: CallReport())
        #expect(lateFailure == .stale)
        #expect(
            try await queue.leases.complete(
                second, workerID: "fast", output: QueueFixtures.rewrite(of: second), followUp: nil,
                difficulty: 3, report: CallReport()) == .recorded)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.results") == 1)
        #expect(
            try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.attempts WHERE outcome = 'stale' AND completion_tokens = 20") == 1)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.attempts WHERE outcome = 'lost'") == 1)
    }

    @Test("one batch stores every held completion with its follow-up and refuses only the stale one")
    func batchCompletionIsPerTask() async throws {
        let queue = try await TestQueue.make()
        let config = QueueFixtures.config(respond: true)
        _ = try await QueueFixtures.seed(queue, config: config, records: QueueFixtures.records(3))
        let expiring = try #require(try await queue.leases.claimTasks(workerID: "w", limit: 1, lease: .seconds(0.2)).first)
        try await Task.sleep(for: .milliseconds(400))
        #expect(try await queue.leases.reapExpiredLeases() == 1)
        let held = try await queue.leases.claimTasks(workerID: "w", limit: 3, lease: .seconds(60)).filter { $0.id != expiring.id }
        #expect(held.count == 2)
        let batch = ([expiring] + held).map { task in
            let output = QueueFixtures.rewrite(of: task)
            return Completion(
                task: task, output: output, followUp: FollowUp.after(task, output: output, config: config),
                difficulty: 3, report: CallReport(model: "m", promptTokens: 7, completionTokens: 11))
        }
        let outcomes = try await queue.leases.complete(batch, workerID: "w")
        #expect(outcomes[expiring.id] == .stale)
        #expect(held.allSatisfy { outcomes[$0.id] == .recorded })
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.results") == 2)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.tasks WHERE stage = 'respond' AND state = 'pending'") == 2)
        #expect(
            try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.attempts WHERE outcome = 'succeeded' AND completion_tokens = 11") == 2
        )
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.attempts WHERE outcome = 'stale' AND prompt_tokens = 7") == 1)
        #expect(try await queue.leases.complete(batch, workerID: "w").values.allSatisfy { $0 == .stale })
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.results") == 2)
    }

    @Test("the reaper recovers a killed worker's tasks and counts the lost attempt")
    func reaperRecoversExpiredLeases() async throws {
        let queue = try await TestQueue.make()
        _ = try await QueueFixtures.seed(queue, records: QueueFixtures.records(5))
        // Leases long enough that a loaded machine (tests run in parallel) reaps before they end.
        let held = try await queue.leases.claimTasks(workerID: "killed", limit: 5, lease: .seconds(3))
        #expect(held.count == 5)
        #expect(try await queue.leases.reapExpiredLeases() == 0)  // leases still valid
        try await Task.sleep(for: .milliseconds(3_300))
        let (first, second) = try await (queue.leases.reapExpiredLeases(), queue.leases.reapExpiredLeases())
        #expect(first + second == 5)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.tasks WHERE state = 'pending' AND attempts = 1") == 5)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.attempts WHERE outcome = 'lost' AND worker_id = 'killed'") == 5)
        let again = try await queue.leases.claimTasks(workerID: "next", limit: 10, lease: .seconds(60))
        #expect(Set(again.map(\.id)) == Set(held.map(\.id)))
        #expect(again.allSatisfy { $0.attempt == 2 })
    }

    @Test("a lease on its last attempt that expires fails the task")
    func reaperFailsExhaustedTasks() async throws {
        let queue = try await TestQueue.make()
        _ = try await QueueFixtures.seed(queue, config: QueueFixtures.config(maxAttempts: 1), records: QueueFixtures.records(1))
        _ = try await queue.leases.claimTasks(workerID: "w", limit: 1, lease: .seconds(0.1))
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await queue.leases.reapExpiredLeases() == 1)
        #expect(
            try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.tasks WHERE state = 'failed' AND last_error_code = 'lease_expired'")
                == 1)
    }

    @Test("heartbeats extend only the leases the worker still holds")
    func heartbeatsExtendLeases() async throws {
        let queue = try await TestQueue.make()
        _ = try await QueueFixtures.seed(queue, records: QueueFixtures.records(3))
        try await queue.workers.register(WorkerIdentity(id: "w", host: "h", pid: 1, version: "t", concurrency: 3))
        // Leases of 2 s renewed every 0.5 s, 3 times: they would have expired without the renewals,
        // and a loaded machine's stall of over a second does not make them expire with them.
        let held = try await queue.leases.claimTasks(workerID: "w", limit: 3, lease: .seconds(2))
        for _ in 0..<3 {
            try await Task.sleep(for: .milliseconds(750))
            #expect(try await queue.leases.heartbeat(workerID: "w", holding: held, lease: .seconds(2)) == Set(held.map(\.id)))
        }
        #expect(try await queue.leases.reapExpiredLeases() == 0)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.active_workers WHERE worker_id = 'w' AND running_tasks = 3") == 1)
    }

    @Test("a heartbeat extends only the leases still held, and returns only those")
    func heartbeatLeavesLostLeasesAlone() async throws {
        let queue = try await TestQueue.make()
        _ = try await QueueFixtures.seed(queue, records: QueueFixtures.records(3))
        let held = try await queue.leases.claimTasks(workerID: "w", limit: 3, lease: .seconds(60))
        // The first lease is lost to another worker (a new token); the second task has finished.
        let (lost, finished) = (held[0].id, held[1].id)
        try await QueueFixtures.execute(queue, "UPDATE $schema.tasks SET lease_token = lease_token + 1, lease_owner = 'other' WHERE id = \(lost)")
        try await QueueFixtures.execute(
            queue, "UPDATE $schema.tasks SET state = 'succeeded', lease_owner = NULL, lease_expires_at = NULL WHERE id = \(finished)")
        #expect(try await queue.leases.heartbeat(workerID: "w", holding: held, lease: .seconds(600)) == [held[2].id])
        let renewedLong = "SELECT count(*) FROM $schema.tasks WHERE lease_expires_at > now() + interval '300 seconds'"
        #expect(try await QueueFixtures.scalar(queue, renewedLong) == 1, "only the lease still held is extended")
        let untouched = "SELECT count(*) FROM $schema.tasks WHERE id = \(lost) AND lease_owner = 'other' AND state = 'running'"
        #expect(try await QueueFixtures.scalar(queue, untouched) == 1)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.tasks WHERE id = \(finished) AND lease_expires_at IS NULL") == 1)
    }

    @Test("a released task is pending again and its try is not counted")
    func releaseReturnsTasks() async throws {
        let queue = try await TestQueue.make()
        _ = try await QueueFixtures.seed(queue, records: QueueFixtures.records(4))
        let held = try await queue.leases.claimTasks(workerID: "w", limit: 4, lease: .seconds(60))
        #expect(try await queue.leases.release(held, workerID: "w") == 4)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.tasks WHERE state = 'pending' AND attempts = 0") == 4)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.attempts WHERE outcome = 'released'") == 4)
        #expect(try await queue.leases.release(held, workerID: "w") == 0)
    }

    /// A claim turns synchronous_commit off for its own transaction only: the completion that
    /// follows on the same connection must still wait for the disk.
    @Test("a claim's quick commit does not carry over to the next statement")
    func claimsCommitQuicklyAlone() async throws {
        let shared = try await TestQueue.make()
        _ = try await QueueFixtures.seed(shared, records: QueueFixtures.records(3))
        let settings = try await TestPostgres.settings()
        try await Database(settings: settings, schema: shared.schema, maxConnections: 1, logger: shared.logger).withRunning { database in
            let queue = database.queue
            // The test server runs without synchronous commits; this connection (the pool's only one) asks for them.
            try await QueueFixtures.execute(queue, "SET synchronous_commit = on")
            let task = try #require(try await queue.leases.claimTasks(workerID: "w", limit: 1, lease: .seconds(60)).first)
            #expect(try await QueueFixtures.text(queue, "SHOW synchronous_commit") == "on")
            #expect(
                try await queue.leases.complete(
                    task, workerID: "w", output: QueueFixtures.rewrite(of: task), followUp: nil, difficulty: 3, report: CallReport())
                    == .recorded)
        }
    }
}
