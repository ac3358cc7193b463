import Foundation
import PostgresNIO
import TreeInstructCore

extension TaskLeases {
    /// Leases up to `limit` due pending tasks to `workerID` for `lease`, oldest due first.
    ///
    /// FOR UPDATE SKIP LOCKED lets any number of workers claim at once without waiting on or
    /// double-claiming each other's rows; each lease gets a fresh random token. The scan
    /// reads a partial index of pending rows only, so finished rows cost nothing. A cancelled
    /// run's tasks are never claimed, even one a worker put back after the cancel.
    ///
    /// The statement is the function `claim_tasks` (Migrations/0009_worker_functions.sql; its current form is
    /// 0018's, which leases through 0019's lease_pending_tasks): the worker role may run it without holding any write privilege on the tables it changes.
    ///
    /// A claim commits without waiting for its WAL to reach the disk (`synchronous_commit` off
    /// for its own transaction only): a claim lost in a server crash is only a lease, and the
    /// task is pending again, as if never claimed; the call made under it is refused as stale.
    /// Every completion still commits durably, and its flush makes every claim before it durable
    /// too, so in a busy queue the claims at risk are those of the last few milliseconds. The
    /// store-only bench spent a tenth of its time idle waiting on those flushes.
    public func claimTasks(workerID: String, limit: Int, lease: Duration, runIDs: [Int64]? = nil) async throws -> [ClaimedTask] {
        // With no filter the condition folds to true at planning (the function is planned for its
        // actual arguments each time), so either way the matching partial index is used.
        let runs = runIDs ?? []
        let rows = try await client.query(
            """
            SELECT \(unescaped: ClaimedTask.claimColumns)
            FROM set_config('synchronous_commit', 'off', true),
                 \(unescaped: s).claim_tasks(\(workerID), \(limit)::int4, \(lease.inSeconds), \(runs)::int8[])
            """, logger: logger)
        var claimed: [ClaimedTask] = []
        for try await row in rows { claimed.append(try ClaimedTask(claimRow: row.makeRandomAccess())) }
        return claimed.sorted { $0.id < $1.id }
    }
}

extension ClaimedTask {
    /// A task as claim_tasks, open_batch and held_batch_tasks return it (their columns share names).
    init(claimRow c: PostgresRandomAccessRow) throws {
        self.init(
            id: try c["id"].decode(Int64.self), runID: try c["run_id"].decode(Int64.self), shardID: try c["shard_id"].decode(Int64.self),
            stage: TaskStage(rawValue: try c["stage"].decode(String.self)) ?? .rewrite, round: try c["round"].decode(Int.self),
            stagesLeft: try c["stages_left"].decode(Int.self), instruction: try c["instruction"].decode(String.self),
            input: try c["input"].decode(String.self), sourceLine: try c["source_line"].decode(Int.self),
            attempt: try c["attempts"].decode(Int.self), maxAttempts: try c["max_attempts"].decode(Int.self),
            leaseToken: try c["lease_token"].decode(Int64.self), claimedAt: try c["claimed_at"].decode(Date.self))
    }

    /// The columns `init(claimRow:)` reads, for a SELECT list.
    static let claimColumns =
        "id, run_id, shard_id, stage, round, stages_left, instruction, input, source_line, attempts, max_attempts, lease_token, claimed_at"
}
