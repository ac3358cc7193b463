import PostgresNIO
import TreeInstructCore

extension TaskLeases {
    /// Returns tasks whose lease ran out (their worker died or stalled) to pending, or fails
    /// them when that was their last attempt, and records each lost attempt. A cancelled run's
    /// expired leases go to cancelled: nobody pays for them again unless the run is rerun.
    ///
    /// Any worker may call it; a transaction-scoped advisory lock lets one reaper at a time do
    /// the work and the others return 0 at once. Returns how many tasks were recovered.
    ///
    /// The statement is the function `reap_expired_leases` (Migrations/0009_worker_functions.sql): the worker
    /// role may run it without holding any write privilege on the tables it changes.
    @discardableResult
    public func reapExpiredLeases(limit: Int = 1000) async throws -> Int {
        let rows = try await client.query(
            """
            SELECT \(unescaped: s).reap_expired_leases(\(limit)::int4)
            """, logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
