import PostgresNIO
import TreeInstructCore

extension RunCatalog {
    /// Adds shard number `ordinal` of a run, on `connection` (inside the caller's transaction).
    /// A number already used throws a unique violation, which the caller retries with a new one.
    func createShard(
        runID: Int64, ordinal: Int, sourceFile: String, firstLine: Int, lastLine: Int,
        on connection: PostgresConnection
    ) async throws -> Int64 {
        let rows = try await BoundedClient.statement(
            """
            INSERT INTO \(unescaped: s).shards (run_id, ordinal, source_file, first_line, last_line)
            VALUES (\(runID), \(ordinal), \(sourceFile), \(firstLine), \(lastLine))
            RETURNING id
            """, on: connection, logger: logger)
        for row in rows { return try row.decode(Int64.self) }
        throw StoreInvariantViolated(message: "shard insert returned no id")
    }
}
