import PostgresNIO
import TreeInstructCore

extension TaskLeases {
    /// Returns tasks whose lease ran out (their worker died or stalled) to pending, or fails
    /// them when that was their last attempt, and records each lost attempt. A cancelled run's
    /// expired leases go to cancelled: nobody pays for them again unless the run is rerun.
    ///
    /// Any worker may call it; a transaction-scoped advisory lock lets one reaper at a time do
    /// the work and the others return 0 at once. Returns how many tasks were recovered.
    @discardableResult
    public func reapExpiredLeases(limit: Int = 1000) async throws -> Int {
        let rows = try await client.query(
            """
            WITH reaper AS (
                SELECT pg_try_advisory_xact_lock(hashtext(\(tables.schema) || '.reaper')) AS held
            ), expired AS (
                SELECT t.id, t.run_id, t.lease_owner, t.lease_token, t.claimed_at, t.attempts, t.max_attempts,
                       r.cancelled_at IS NOT NULL AS run_cancelled
                FROM \(unescaped: s).tasks t
                JOIN \(unescaped: s).runs r ON r.id = t.run_id
                WHERE t.state = 'running' AND t.lease_expires_at < now() AND (SELECT held FROM reaper)
                ORDER BY t.lease_expires_at
                LIMIT \(limit)
                FOR UPDATE OF t SKIP LOCKED
            ), reset AS (
                UPDATE \(unescaped: s).tasks t
                SET state = CASE WHEN e.run_cancelled THEN 'cancelled'
                                 WHEN e.attempts >= e.max_attempts THEN 'failed'
                                 ELSE 'pending' END::\(unescaped: s).task_state,
                    finished_at = CASE WHEN e.run_cancelled OR e.attempts >= e.max_attempts THEN now() END,
                    run_after = now(), lease_owner = NULL, lease_expires_at = NULL, last_error_code = 'lease_expired'
                FROM expired e
                WHERE t.id = e.id
                RETURNING t.id
            ), lost AS (
                INSERT INTO \(unescaped: s).attempts (task_id, run_id, attempt, lease_token, worker_id, started_at, outcome, code, detail)
                SELECT id, run_id, attempts, lease_token, coalesce(lease_owner, 'unknown'), coalesce(claimed_at, now()), 'lost',
                       'lease_expired', 'the worker stopped renewing its lease (crashed, killed or stalled)'
                FROM expired
            )
            SELECT count(*) FROM reset
            """, logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
