import TaskStore
import TreeInstructCore
import Workers

/// The worker core's lease store, over the PostgreSQL task store.
public struct PostgresLeaseStore: LeaseStore {
    public let queue: TaskQueue

    public init(queue: TaskQueue) { self.queue = queue }

    public func register(_ worker: WorkerIdentity) async throws { try await queue.register(worker) }

    public func claim(workerID: String, limit: Int, lease: Duration, runIDs: [Int64]?) async throws -> [ClaimedTask] {
        try await queue.claimTasks(workerID: workerID, limit: limit, leaseSeconds: lease / .seconds(1), runIDs: runIDs)
    }

    public func heartbeat(workerID: String, lease: Duration) async throws -> Set<Int64> {
        try await queue.heartbeat(workerID: workerID, leaseSeconds: lease / .seconds(1))
    }

    public func complete(_ completions: [Completion], workerID: String) async throws -> [Int64: LeaseOutcome] {
        try await queue.complete(completions, workerID: workerID)
    }

    public func fail(
        _ task: ClaimedTask, workerID: String, failure: AttemptFailure, retryDelay: Duration,
        report: CallReport
    ) async throws -> LeaseOutcome {
        try await queue.fail(task, workerID: workerID, failure: failure, retryDelaySeconds: retryDelay / .seconds(1), report: report)
    }

    public func release(_ tasks: [ClaimedTask], workerID: String) async throws -> Int {
        try await queue.release(tasks, workerID: workerID)
    }

    public func reapExpiredLeases() async throws -> Int { try await queue.reapExpiredLeases() }

    public func markStopped(workerID: String) async throws { try await queue.markStopped(workerID: workerID) }

    public func openTaskCount(runIDs: [Int64]?) async throws -> Int { try await queue.openTaskCount(runIDs: runIDs) }

    public func runConfig(id: Int64) async throws -> RunConfig { try await queue.runConfig(id: id) }
}
