import Foundation
import PostgresNIO
import TreeInstructCore

extension TaskLeases {
    /// Leases up to `limit` due pending tasks to `workerID` for `lease`, oldest due first.
    ///
    /// FOR UPDATE SKIP LOCKED lets any number of workers claim at once without waiting on or
    /// double-claiming each other's rows; each lease gets a fresh token from a sequence. The scan
    /// reads a partial index of pending rows only, so finished rows cost nothing. A cancelled
    /// run's tasks are never claimed, even one a worker put back after the cancel.
    public func claimTasks(workerID: String, limit: Int, lease: Duration, runIDs: [Int64]? = nil) async throws -> [ClaimedTask] {
        // With no filter the condition folds to true at planning (each query is planned with its
        // actual parameters), so either way the matching partial index is used.
        let runs = runIDs ?? []
        let rows = try await client.query(
            """
            WITH candidates AS (
                SELECT id FROM \(unescaped: s).tasks
                WHERE state = 'pending' AND run_after <= now()
                  AND (cardinality(\(runs)::int8[]) = 0 OR run_id = ANY(\(runs)::int8[]))
                  AND NOT run_id = ANY(ARRAY(SELECT id FROM \(unescaped: s).runs WHERE cancelled_at IS NOT NULL))
                ORDER BY run_after, id
                LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
            )
            UPDATE \(unescaped: s).tasks t
            SET state = 'running', lease_owner = \(workerID),
                lease_token = nextval('\(unescaped: s).lease_tokens'),
                lease_expires_at = now() + make_interval(secs => \(lease.inSeconds)),
                claimed_at = now(), attempts = t.attempts + 1
            FROM candidates c
            WHERE t.id = c.id
            RETURNING t.id, t.run_id, t.shard_id, t.stage::text AS stage, t.round, t.stages_left, t.instruction, t.input,
                      t.source_line, t.attempts, t.max_attempts, t.lease_token, t.claimed_at
            """, logger: logger)
        var claimed: [ClaimedTask] = []
        for try await row in rows {
            let c = row.makeRandomAccess()
            claimed.append(
                ClaimedTask(
                    id: try c["id"].decode(Int64.self), runID: try c["run_id"].decode(Int64.self), shardID: try c["shard_id"].decode(Int64.self),
                    stage: TaskStage(rawValue: try c["stage"].decode(String.self)) ?? .rewrite, round: try c["round"].decode(Int.self),
                    stagesLeft: try c["stages_left"].decode(Int.self), instruction: try c["instruction"].decode(String.self),
                    input: try c["input"].decode(String.self), sourceLine: try c["source_line"].decode(Int.self),
                    attempt: try c["attempts"].decode(Int.self), maxAttempts: try c["max_attempts"].decode(Int.self),
                    leaseToken: try c["lease_token"].decode(Int64.self), claimedAt: try c["claimed_at"].decode(Date.self)))
        }
        return claimed.sorted { $0.id < $1.id }
    }
}
