import TaskStore
import TreeInstructCore
import Workers

/// The worker core's lease store, over the PostgreSQL task store.
public struct PostgresLeaseStore: LeaseStore {
    public let queue: QueueSchema

    public init(queue: QueueSchema) { self.queue = queue }

    public func register(_ worker: WorkerIdentity) async throws { try await queue.workers.register(worker) }

    public func claim(workerID: String, limit: Int, lease: Duration, runIDs: [Int64]?) async throws -> [ClaimedTask] {
        try await queue.leases.claimTasks(workerID: workerID, limit: limit, lease: lease, runIDs: runIDs)
    }

    public func heartbeat(workerID: String, holding tasks: [ClaimedTask], lease: Duration) async throws -> Set<Int64> {
        try await queue.leases.heartbeat(workerID: workerID, holding: tasks, lease: lease)
    }

    public func complete(_ completions: [Completion], workerID: String) async throws -> [Int64: LeaseOutcome] {
        try await queue.leases.complete(completions, workerID: workerID)
    }

    public func fail(
        _ task: ClaimedTask, workerID: String, failure: AttemptFailure, retryDelay: Duration,
        report: CallReport
    ) async throws -> LeaseOutcome {
        try await queue.leases.fail(task, workerID: workerID, failure: failure, retryDelay: retryDelay, report: report)
    }

    public func release(_ tasks: [ClaimedTask], workerID: String) async throws -> Int {
        try await queue.leases.release(tasks, workerID: workerID)
    }

    public func reapExpiredLeases() async throws -> Int { try await queue.leases.reapExpiredLeases() }

    public func markStopped(workerID: String) async throws { try await queue.workers.markStopped(workerID: workerID) }

    public func openTaskCount(runIDs: [Int64]?) async throws -> Int { try await queue.progress.openTaskCount(runIDs: runIDs) }

    public func runConfig(id: Int64) async throws -> RunConfig { try await queue.runs.runConfig(id: id) }
}
