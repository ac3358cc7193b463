import PostgresNIO

extension TaskQueue {
    /// Adds a shard of a run, on `connection` (inside the caller's transaction), numbered
    /// `ordinal`, or one past the run's highest when nil. A number another transaction holds
    /// makes this wait for it and then throw a unique violation, which the caller retries.
    func createShard(runID: Int64, ordinal: Int?, sourceFile: String, firstLine: Int, lastLine: Int,
                     on connection: PostgresConnection) async throws -> Int64 {
        let rows = try await connection.query("""
            INSERT INTO \(unescaped: s).shards (run_id, ordinal, source_file, first_line, last_line)
            SELECT \(runID), coalesce(\(ordinal)::int, max(ordinal) + 1, 0), \(sourceFile), \(firstLine), \(lastLine)
            FROM \(unescaped: s).shards WHERE run_id = \(runID)
            RETURNING id
            """, logger: logger)
        for try await id in rows.decode(Int64.self) { return id }
        throw StoreInvariantViolated(message: "shard insert returned no id")
    }
}
