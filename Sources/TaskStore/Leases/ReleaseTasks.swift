import PostgresNIO
import TreeInstructCore

extension TaskLeases {
    /// Hands tasks back at a clean shutdown: pending again at once, the try not counted (the
    /// call was never finished), the release kept in the history; cancelled if its run was
    /// cancelled meanwhile. Returns how many were released.
    @discardableResult
    public func release(_ tasks: [ClaimedTask], workerID: String) async throws -> Int {
        guard !tasks.isEmpty else { return 0 }
        let rows = try await client.query(
            """
            WITH released AS (
                UPDATE \(unescaped: s).tasks t
                SET state = CASE WHEN r.cancelled_at IS NULL THEN 'pending' ELSE 'cancelled' END::\(unescaped: s).task_state,
                    finished_at = CASE WHEN r.cancelled_at IS NULL THEN NULL ELSE now() END,
                    attempts = t.attempts - 1, run_after = now(), lease_owner = NULL, lease_expires_at = NULL
                FROM unnest(\(tasks.map(\.id))::int8[], \(tasks.map(\.leaseToken))::int8[]) AS u(id, token),
                     \(unescaped: s).runs r
                WHERE t.id = u.id AND t.state = 'running' AND t.lease_token = u.token AND r.id = t.run_id
                RETURNING t.id, t.run_id, t.attempts, t.lease_token, t.claimed_at
            ), history AS (
                INSERT INTO \(unescaped: s).attempts (task_id, run_id, attempt, lease_token, worker_id, started_at, outcome, code, detail)
                SELECT id, run_id, attempts + 1, lease_token, \(workerID), claimed_at, 'released', 'shutdown',
                       'released unfinished at a clean worker shutdown'
                FROM released
            )
            SELECT count(*) FROM released
            """, logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
