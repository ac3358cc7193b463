import PostgresNIO
import TreeInstructCore

extension EndpointHealthRecords {
    /// The endpoint's state now; nil when nothing was ever recorded for it (it is up).
    public func read(key: String) async throws -> EndpointHealth? {
        let rows = try await client.query(
            """
            SELECT state, since, faults, last_error, false AS changed
            FROM \(unescaped: s).endpoint_health WHERE key = \(key)
            """, logger: logger)
        return try await decode(rows)
    }
}
