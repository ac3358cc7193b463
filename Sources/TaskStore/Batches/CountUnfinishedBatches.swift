import PostgresNIO

extension BatchRecords {
    /// Batches of `endpoint` not yet applied or abandoned.
    public func unfinishedCount(endpoint: String) async throws -> Int {
        let rows = try await client.query(
            "SELECT count(*) FROM \(unescaped: s).batches WHERE endpoint = \(endpoint) AND state IN ('packing', 'open', 'ended')",
            logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
