import PostgresNIO

extension TaskQueue {
    /// One past the highest shard number of a run (0 for none): where a submit starts numbering
    /// the shards it inserts side by side.
    public func nextShardOrdinal(runID: Int64) async throws -> Int {
        let rows = try await client.query("""
            SELECT coalesce(max(ordinal) + 1, 0)::int FROM \(unescaped: s).shards WHERE run_id = \(runID)
            """, logger: logger)
        for try await next in rows.decode(Int.self) { return next }
        return 0
    }
}
