import PostgresNIO
import TreeInstructCore

extension TaskLeases {
    /// Marks the worker alive and extends every lease it still holds by `lease`.
    /// Returns the ids of the tasks it still holds: any other task it thinks it has was lost
    /// (reaped after a stall) and its result will be refused.
    public func heartbeat(workerID: String, lease: Duration) async throws -> Set<Int64> {
        let rows = try await client.query(
            """
            WITH alive AS (
                UPDATE \(unescaped: s).workers SET last_heartbeat = now() WHERE id = \(workerID)
            )
            UPDATE \(unescaped: s).tasks
            SET lease_expires_at = now() + make_interval(secs => \(lease.inSeconds))
            WHERE state = 'running' AND lease_owner = \(workerID)
            RETURNING id
            """, logger: logger)
        var held = Set<Int64>()
        for try await id in rows.decode(Int64.self) { held.insert(id) }
        return held
    }
}
