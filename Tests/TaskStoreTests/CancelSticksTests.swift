import Foundation
import PostgresTestSupport
import Testing
import TaskStore
import TreeInstructCore

/// A cancelled run stays cancelled: whatever its workers do with the tasks they held at the
/// cancel (release them, fail them, die and let the reaper find them), nothing of it is claimed
/// or counted as backlog again, until `rerun`.
@Suite("Cancel sticks", .enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
struct CancelSticksTests {
    static func states(_ queue: QueueSchema) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for state in ["pending", "running", "cancelled", "failed", "succeeded"] {
            counts[state] = try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.tasks WHERE state = '\(state)'")
        }
        return counts.filter { $0.value > 0 }
    }

    @Test func tasksHeldAtCancelNeverComeBack() async throws {
        let queue = try await TestQueue.make()
        let run = try await QueueFixtures.seed(queue, config: QueueFixtures.config(maxAttempts: 5), records: QueueFixtures.records(10))
        // Four tasks held when the run is cancelled; six pending ones are cancelled at once.
        let held = try await queue.leases.claimTasks(workerID: "w", limit: 4, lease: .seconds(60))
        #expect(held.count == 4)
        #expect(try await queue.runs.cancelRun(id: run.id) == 6)

        // One released at a clean shutdown, one failed with a retryable error, one whose worker
        // died (its lease runs out and the reaper takes it); the fourth is still running.
        #expect(try await queue.leases.release([held[0]], workerID: "w") == 1)
        let transient = AttemptFailure(outcome: "error", code: "http_503", detail: "unavailable", retryable: true)
        #expect(try await queue.leases.fail(held[1], workerID: "w", failure: transient, retryDelay: .zero, report: CallReport()) == .recorded)
        try await QueueFixtures.execute(queue, "UPDATE $schema.tasks SET lease_expires_at = now() - interval '1 second' WHERE id = \(held[2].id)")
        #expect(try await queue.leases.reapExpiredLeases() == 1)
        #expect(try await Self.states(queue) == ["cancelled": 9, "running": 1])

        // Even a task put back to pending behind the queue's back (a fail that raced the cancel)
        // is not counted as open nor in the backlog, and is not claimed: the claim that meets it
        // cancels it as the cancel would have.
        try await QueueFixtures.execute(queue, "UPDATE $schema.tasks SET state = 'pending', finished_at = NULL WHERE id = \(held[0].id)")
        #expect(try await queue.progress.openTaskCount(runIDs: [run.id]) == 1)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.backlog") == 0)
        #expect(try await queue.leases.claimTasks(workerID: "other", limit: 10, lease: .seconds(60)).isEmpty)
        #expect(try await Self.states(queue) == ["cancelled": 9, "running": 1])
        #expect(try await queue.progress.openTaskCount(runIDs: [run.id]) == 1)  // the one still running
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.backlog") == 0)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.attempts WHERE outcome = 'lost'") == 1)

        // rerun is the way back, for all nine.
        #expect(try await queue.runs.rerun(runID: run.id, scope: .failed) == 9)
        #expect(try await queue.leases.claimTasks(workerID: "other", limit: 20, lease: .seconds(60)).count == 9)
        #expect(try await QueueFixtures.scalar(queue, "SELECT coalesce(sum(running), 0)::int8 FROM $schema.backlog") == 10)
    }

    /// A claim that meets a cancelled run's pending task next to live runs' tasks (in one pick,
    /// across runs and within the runs it is limited to) cancels that one and leases the others.
    @Test func aClaimMixingACancelledRunsTaskWithLiveOnesLeasesOnlyTheLiveOnes() async throws {
        let queue = try await TestQueue.make()
        let stopped = try await QueueFixtures.seed(queue, name: "stopped", records: QueueFixtures.records(2, prefix: "Stopped"))
        let live = try await QueueFixtures.seed(queue, name: "live", records: QueueFixtures.records(6, prefix: "Live"))
        #expect(try await queue.runs.cancelRun(id: stopped.id) == 2)
        // Put back to pending behind the queue's back, as a fail racing the cancel could.
        try await QueueFixtures.execute(queue, "UPDATE $schema.tasks SET state = 'pending', finished_at = NULL WHERE run_id = \(stopped.id)")
        let anyRun = try await queue.leases.claimTasks(workerID: "w", limit: 5, lease: .seconds(60))
        #expect(anyRun.count == 3 && anyRun.allSatisfy { $0.runID == live.id }, "five picked: the two cancelled parked, three leased")
        try await QueueFixtures.execute(queue, "UPDATE $schema.tasks SET state = 'pending', finished_at = NULL WHERE run_id = \(stopped.id)")
        let named = try await queue.leases.claimTasks(workerID: "w", limit: 10, lease: .seconds(60), runIDs: [stopped.id, live.id])
        #expect(named.count == 3 && named.allSatisfy { $0.runID == live.id })
        #expect(try await Self.states(queue) == ["cancelled": 2, "running": 6])
        let leasedOnce = "SELECT count(*) FROM $schema.tasks WHERE state = 'running' AND lease_owner = 'w' AND attempts = 1"
        #expect(try await QueueFixtures.scalar(queue, leasedOnce) == 6)
    }
}
