import PostgresNIO
import TreeInstructCore

extension EndpointHealthRecords {
    /// Counts one endpoint fault (transport failure, 5xx) for `key`. The fault that brings the
    /// count to `threshold` with no answer between marks the endpoint down and schedules the first
    /// probe `probeEvery` later; `changed` tells its caller to say so.
    public func recordFault(key: String, detail: String, threshold: Int, probeEvery: Duration) async throws -> EndpointHealth {
        let rows = try await client.query(
            """
            INSERT INTO \(unescaped: s).endpoint_health AS h (key, state, since, faults, last_error, last_fault_at, next_probe_at)
            VALUES (\(key), CASE WHEN \(threshold) <= 1 THEN 'down' ELSE 'up' END, now(), 1, \(detail), now(),
                    now() + make_interval(secs => \(probeEvery.inSeconds)))
            ON CONFLICT (key) DO UPDATE SET
                faults = h.faults + 1, last_error = EXCLUDED.last_error, last_fault_at = now(), updated_at = now(),
                state = CASE WHEN h.state = 'up' AND h.faults + 1 >= \(threshold) THEN 'down' ELSE h.state END,
                since = CASE WHEN h.state = 'up' AND h.faults + 1 >= \(threshold) THEN now() ELSE h.since END,
                next_probe_at = CASE WHEN h.state = 'up' AND h.faults + 1 >= \(threshold) THEN EXCLUDED.next_probe_at
                                     ELSE h.next_probe_at END
            RETURNING state, since, faults, last_error, state <> 'up' AND since = now() AS changed
            """, logger: logger)
        guard let health = try await decode(rows) else { throw StoreInvariantViolated(message: "endpoint fault upsert returned no row") }
        return health
    }
}
