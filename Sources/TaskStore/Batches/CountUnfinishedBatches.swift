import PostgresNIO

extension BatchRecords {
    /// Batches of `endpoint` not yet applied or abandoned, of `runIDs` only when given.
    public func unfinishedCount(endpoint: String, runIDs: [Int64]? = nil) async throws -> Int {
        let runs = runIDs ?? []
        let rows = try await client.query(
            """
            SELECT count(*) FROM \(unescaped: s).batches
            WHERE endpoint = \(endpoint) AND state IN ('packing', 'open', 'ended')
              AND (cardinality(\(runs)::int8[]) = 0 OR run_id = ANY(\(runs)::int8[]))
            """, logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
