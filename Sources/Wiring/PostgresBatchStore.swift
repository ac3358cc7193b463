import TaskStore
import TreeInstructCore
import Workers

/// The worker core's batch store, over the PostgreSQL task store.
public struct PostgresBatchStore: BatchStore {
    public let queue: QueueSchema

    public init(queue: QueueSchema) { self.queue = queue }

    public func openBatch(workerID: String, endpoint: String, limit: Int, lease: Duration, runIDs: [Int64]?) async throws -> OpenedBatch? {
        try await queue.batches.openBatch(workerID: workerID, endpoint: endpoint, limit: limit, lease: lease, runIDs: runIDs)
    }

    public func unfinishedBatchCount(endpoint: String, runIDs: [Int64]?) async throws -> Int {
        try await queue.batches.unfinishedCount(endpoint: endpoint, runIDs: runIDs)
    }

    public func takeJob(workerID: String, endpoint: String, lease: Duration) async throws -> BatchJob? {
        try await queue.batches.takeJob(workerID: workerID, endpoint: endpoint, lease: lease)
    }

    public func renewJob(_ ticket: BatchTicket, lease: Duration) async throws -> Bool { try await queue.batches.renewJob(ticket, lease: lease) }

    public func recordProvider(_ ticket: BatchTicket, batch: ProviderBatch, nextPoll: Duration) async throws -> Bool {
        try await queue.batches.recordProvider(ticket, batch: batch, nextPoll: nextPoll)
    }

    public func finish(_ ticket: BatchTicket, state: BatchEnd, tally: BatchTally, note: String?) async throws -> Bool {
        try await queue.batches.finish(ticket, state: state, tally: tally, note: note)
    }

    public func heldTasks(_ ticket: BatchTicket) async throws -> [ClaimedTask] { try await queue.batches.heldTasks(ticket) }

    public func providerBatchID(batchID: Int64) async throws -> String? { try await queue.batches.providerBatchID(batchID: batchID) }

    public func holdTasks(_ tasks: [ClaimedTask], owner: String, for lease: Duration) async throws {
        try await queue.leases.extendLeases(owner: owner, holding: tasks, lease: lease)
    }

    public func returnTasks(
        _ tasks: [ClaimedTask], owner: String, code: String, detail: String, usesAttempt: Bool, retryAfter: Duration
    ) async throws -> Int {
        try await queue.leases.returnTasks(tasks, owner: owner, code: code, detail: detail, usesAttempt: usesAttempt, retryAfter: retryAfter)
    }
}
