import PostgresNIO
import TreeInstructCore

extension EndpointHealthRecords {
    /// Takes the next probe of an endpoint that is not up, when one is due: true for the one
    /// caller that moved `next_probe_at` forward by `interval`, false for everyone else. The row
    /// lock makes concurrent callers wait and then see the moved time, so one probe runs per
    /// interval however many workers ask.
    public func takeProbe(key: String, interval: Duration) async throws -> Bool {
        let rows = try await client.query(
            """
            UPDATE \(unescaped: s).endpoint_health
            SET next_probe_at = now() + make_interval(secs => \(interval.inSeconds)), probes = probes + 1
            WHERE key = \(key) AND state <> 'up' AND next_probe_at <= now()
            RETURNING key
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }
}
