import PostgresNIO
import TreeInstructCore

/// Which tasks of a run or shard go back to work.
public enum RerunScope: String, Sendable, Hashable, CaseIterable {
    /// Failed and cancelled tasks only: pay only for what did not work.
    case failed
    /// Everything: results are discarded and each source row starts again at round 1.
    case all
}

extension RunCatalog {
    /// Puts tasks of a run (or one shard of it) back to pending with fresh attempts; the attempt
    /// history stays. With `.all`, first-round tasks restart, their results are deleted, and
    /// later-stage tasks are parked as cancelled until their parent finishes again (which
    /// revives them with the new instruction). A cancelled run is resumed, and its rate is measured
    /// afresh from now (run_progress). Returns how many tasks
    /// are pending again.
    @discardableResult
    public func rerun(runID: Int64, shardID: Int64? = nil, scope: RerunScope) async throws -> Int {
        let all = scope == .all
        let rows = try await client.query(
            """
            WITH resumed AS (
                UPDATE \(unescaped: s).runs SET cancelled_at = NULL, resumed_at = now() WHERE id = \(runID)
            ), uncancelled AS (
                -- Its batches not yet cancelled at the provider go on (cancel only marked them).
                UPDATE \(unescaped: s).batches SET cancel_requested_at = NULL
                WHERE run_id = \(runID) AND cancel_requested_at IS NOT NULL AND state IN ('packing', 'open')
                  AND coalesce(provider_status, '') NOT IN ('cancelling', 'cancelled')
            ), scoped AS (
                SELECT id, stage, round FROM \(unescaped: s).tasks
                WHERE run_id = \(runID) AND (\(shardID)::int8 IS NULL OR shard_id = \(shardID))
                  AND (\(all) OR state IN ('failed', 'cancelled'))
                  AND state <> 'running'
                FOR UPDATE
            ), cleared AS (
                DELETE FROM \(unescaped: s).results r USING scoped WHERE \(all) AND r.task_id = scoped.id
            ), reset AS (
                UPDATE \(unescaped: s).tasks t
                SET state = CASE WHEN \(all) AND NOT (sc.stage = 'rewrite' AND sc.round = 1) THEN 'cancelled'
                                 ELSE 'pending' END::\(unescaped: s).task_state,
                    attempts = 0, run_after = now(), finished_at = NULL, last_error_code = NULL,
                    lease_owner = NULL, lease_expires_at = NULL
                FROM scoped sc
                WHERE t.id = sc.id
                RETURNING t.state
            )
            SELECT count(*) FILTER (WHERE state = 'pending') FROM reset
            """, logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
