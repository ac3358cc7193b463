import PostgresNIO
import TreeInstructCore

extension RunCatalog {
    /// Adds first-round rewrite tasks for `records` by COPY, on `connection` (inside the
    /// caller's transaction), with no conflict check: the caller knows the run holds none of
    /// them. One that it does hold after all (another submit into the same run at the same time)
    /// fails the whole COPY with a unique violation, and nothing of it is stored. Returns how
    /// many were added (all of them).
    func copyTasks(
        _ records: [(record: InstructionRecord, hash: ContentHash)], runID: Int64, shardID: Int64, config: RunConfig,
        on connection: PostgresConnection
    ) async throws -> Int {
        // COPY names its table unqualified (postgres-nio quotes it as one name): the schema is
        // found through this transaction's search path.
        try await connection.query("SET LOCAL search_path TO \(unescaped: s)", logger: logger)
        try await connection.copyFrom(table: "tasks", columns: TaskCopyRows.columns, logger: logger) { writer in
            var rows = TaskCopyRows(capacity: Self.copyChunkBytes + 4096)
            // In the order of the unique key: each insert lands next to the one before it in
            // that index, whose pages are then still at hand (a tenth less work for the server).
            for (record, hash) in records.sorted(by: { $0.hash.bytes.lexicographicallyPrecedes($1.hash.bytes) }) {
                rows.append(record, hash: hash, runID: runID, shardID: shardID, config: config)
                if rows.buffer.readableBytes >= Self.copyChunkBytes {
                    try await writer.write(rows.buffer)
                    rows = TaskCopyRows(capacity: Self.copyChunkBytes + 4096)
                }
            }
            if rows.buffer.readableBytes > 0 { try await writer.write(rows.buffer) }
        }
        return records.count
    }

    /// Bytes per COPY message: the server parses one while the next is encoded.
    static let copyChunkBytes = 256 * 1024
}
