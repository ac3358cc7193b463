import PostgresNIO
import TreeInstructCore

extension EndpointHealthRecords {
    /// The endpoint answered: its fault count starts again from zero and, if it was down or out
    /// of quota, it is up again (`changed`). Touches nothing (returns nil) when there is nothing
    /// to reset, so callers may call it freely.
    public func recordAnswer(key: String) async throws -> EndpointHealth? {
        let rows = try await client.query(
            """
            UPDATE \(unescaped: s).endpoint_health
            SET faults = 0, updated_at = now(), state = 'up',
                since = CASE WHEN state <> 'up' THEN now() ELSE since END
            WHERE key = \(key) AND (faults > 0 OR state <> 'up')
            RETURNING state, since, faults, last_error, since = now() AS changed
            """, logger: logger)
        return try await decode(rows)
    }
}
