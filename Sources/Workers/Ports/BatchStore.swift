import Foundation
import TreeInstructCore

/// What the worker core needs of the task store for batch mode: batches as leased jobs, and
/// the tasks a batch holds. PostgreSQL implements it (Migrations/0017, Wiring's
/// `PostgresLeaseStore`). Answers are applied through `LeaseStore.complete` and `fail` under the
/// batch's lease owner (`BatchTicket.owner`), so they are fenced as live answers are.
public protocol BatchStore: Sendable {
    /// Starts a batch: up to `limit` due tasks of one batch-mode run (of `runIDs` only, when
    /// given), its packing job held by `workerID` for `lease`, the tasks leased to the batch
    /// three times as long (a dead packer's batch is found before they could be reaped).
    /// nil when no batch run has due work.
    func openBatch(workerID: String, endpoint: String, limit: Int, lease: Duration, runIDs: [Int64]?) async throws -> OpenedBatch?
    /// Batches of `endpoint` not yet applied or abandoned, of `runIDs` only when given: the pace
    /// of packing, and whether a worker that leaves once its runs are done may leave yet.
    func unfinishedBatchCount(endpoint: String, runIDs: [Int64]?) async throws -> Int
    /// Takes the next due job of `endpoint` for `lease`: a batch whose packer died, an open
    /// batch due for a poll (or to be cancelled), or an ended batch to apply.
    func takeJob(workerID: String, endpoint: String, lease: Duration) async throws -> BatchJob?
    /// Holds the job `lease` longer; false when it was lost.
    func renewJob(_ ticket: BatchTicket, lease: Duration) async throws -> Bool
    /// Records where the provider has the batch and what it says, and lets the job go; the next
    /// poll is due after `nextPoll` (at once when it ended). False when the job was lost.
    func recordProvider(_ ticket: BatchTicket, batch: ProviderBatch, nextPoll: Duration) async throws -> Bool
    /// Ends the batch: `applied` with what applying it did, or `abandoned` (never at the
    /// provider). False when the job was lost.
    func finish(_ ticket: BatchTicket, state: BatchEnd, tally: BatchTally, note: String?) async throws -> Bool
    /// The tasks the batch still holds, with their lease tokens (none once the job is lost).
    func heldTasks(_ ticket: BatchTicket) async throws -> [ClaimedTask]
    /// Holds the batch's tasks for `lease` more (to the provider's deadline and a margin).
    func holdTasks(_ tasks: [ClaimedTask], owner: String, for lease: Duration) async throws
    /// Gives held tasks back, saying why, due again after `retryAfter`: without using an
    /// attempt, or (`usesAttempt`) using it, failed for good on the last.
    func returnTasks(
        _ tasks: [ClaimedTask], owner: String, code: String, detail: String, usesAttempt: Bool, retryAfter: Duration
    ) async throws -> Int
    /// The provider batch recorded for the batch now (another worker may have adopted it).
    func providerBatchID(batchID: Int64) async throws -> String?
}
