import PostgresNIO
import TreeInstructCore

extension RunCatalog {
    /// Stops a run: its pending tasks are cancelled and no follow-up is created; running tasks
    /// finish and their results are kept; its open provider batches are marked for a worker to
    /// cancel at the provider (their answers so far are applied, the rest cancelled). `rerun`
    /// undoes it. Returns how many tasks were cancelled.
    @discardableResult
    public func cancelRun(id runID: Int64) async throws -> Int {
        let rows = try await client.query(
            """
            WITH run AS (
                UPDATE \(unescaped: s).runs SET cancelled_at = coalesce(cancelled_at, now()) WHERE id = \(runID)
            ), batches AS (
                UPDATE \(unescaped: s).batches SET cancel_requested_at = coalesce(cancel_requested_at, now())
                WHERE run_id = \(runID) AND state IN ('packing', 'open')
            ), cancelled AS (
                UPDATE \(unescaped: s).tasks SET state = 'cancelled', finished_at = now()
                WHERE run_id = \(runID) AND state = 'pending'
                RETURNING 1
            )
            SELECT count(*) FROM cancelled
            """, logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
