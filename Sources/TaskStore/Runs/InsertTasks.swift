import PostgresNIO
import TreeInstructCore

extension RunCatalog {
    /// Inserts first-round rewrite tasks for `records` in one statement (arrays, not one bind per
    /// value, so any batch size fits). Rows already in the run (same content hash) are skipped.
    /// Returns how many were new.
    func insertTasks(
        _ records: [InstructionRecord], runID: Int64, shardID: Int64, config: RunConfig,
        on connection: PostgresConnection
    ) async throws -> Int {
        let rows = try await connection.query(
            """
            WITH inserted AS (
                INSERT INTO \(unescaped: s).tasks
                    (run_id, shard_id, content_hash, stage, round, stages_left, source_line, source_id,
                     instruction, input, reference_output, max_attempts)
                SELECT \(runID), \(shardID), decode(u.hash, 'hex'), 'rewrite', 1, \(config.stagesPerRow), u.line,
                       NULLIF(u.source_id, ''), u.instruction, u.input, NULLIF(u.output, ''), \(config.maxAttempts)
                FROM unnest(\(records.map(\.contentHash.hex))::text[], \(records.map(\.line))::int8[],
                            \(records.map { $0.sourceID ?? "" })::text[], \(records.map(\.instruction))::text[],
                            \(records.map(\.input))::text[], \(records.map { $0.referenceOutput ?? "" })::text[])
                     AS u(hash, line, source_id, instruction, input, output)
                ON CONFLICT (run_id, content_hash, stage, round) DO NOTHING
                RETURNING 1
            )
            SELECT count(*) FROM inserted
            """, logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
