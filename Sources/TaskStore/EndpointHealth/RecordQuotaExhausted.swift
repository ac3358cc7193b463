import PostgresNIO
import TreeInstructCore

extension EndpointHealthRecords {
    /// The provider says the quota or credit is spent: the endpoint's state becomes `quota`
    /// (`changed` the first time), with a probe due `probeEvery` later for workers that pause.
    public func recordQuotaExhausted(key: String, detail: String, probeEvery: Duration) async throws -> EndpointHealth {
        let rows = try await client.query(
            """
            INSERT INTO \(unescaped: s).endpoint_health AS h (key, state, since, faults, last_error, last_fault_at, next_probe_at)
            VALUES (\(key), 'quota', now(), 0, \(detail), now(), now() + make_interval(secs => \(probeEvery.inSeconds)))
            ON CONFLICT (key) DO UPDATE SET
                state = 'quota', last_error = EXCLUDED.last_error, last_fault_at = now(), updated_at = now(),
                since = CASE WHEN h.state <> 'quota' THEN now() ELSE h.since END,
                next_probe_at = CASE WHEN h.state <> 'quota' THEN EXCLUDED.next_probe_at ELSE h.next_probe_at END
            RETURNING state, since, faults, last_error, since = now() AS changed
            """, logger: logger)
        guard let health = try await decode(rows) else { throw StoreInvariantViolated(message: "quota upsert returned no row") }
        return health
    }

    /// A worker starting after a quota stop tries the endpoint again (someone restarted it, most
    /// likely after paying): the stop is cleared. Returns the cleared record, or nil if none.
    public func clearQuotaStop(key: String) async throws -> EndpointHealth? {
        let rows = try await client.query(
            """
            UPDATE \(unescaped: s).endpoint_health AS h
            SET state = 'up', since = now(), faults = 0, updated_at = now()
            FROM (SELECT key, since AS stopped_since FROM \(unescaped: s).endpoint_health WHERE key = \(key) FOR UPDATE) old
            WHERE h.key = old.key AND h.state = 'quota'
            RETURNING 'quota' AS state, old.stopped_since AS since, h.faults, h.last_error, true AS changed
            """, logger: logger)
        return try await decode(rows)
    }
}
