import PostgresNIO
import TreeInstructCore

extension RunCatalog {
    /// Inserts first-round rewrite tasks for `records` in one statement (arrays, not one bind per
    /// value, so any batch size fits). Returns how many were new.
    ///
    /// `checked` (the default) skips records whose content hash the run already holds: a lookup
    /// in the unique key filters them before the insert, since the row `ON CONFLICT` skips has
    /// already taken a task id (a resubmitted corpus of a million took a million ids); a new
    /// record pays one lookup more, in pages the insert then reads anyway. `ON CONFLICT` still
    /// catches a repeat within the batch or one stored meanwhile. Without it the server skips
    /// both checks (a sixth of its work on a new run's rows): the caller knows the run holds
    /// none of them, and one that it does hold after all (another submit into the same run at
    /// the same time) fails the statement with a unique violation, storing nothing.
    ///
    /// Not COPY: postgres-nio 1.33's COPY stops the process (a precondition) or never answers
    /// when the server dies mid-copy (Ops/notes/postgres-nio-row-stream.md, 3).
    func insertTasks(
        _ records: [(record: InstructionRecord, hash: ContentHash)], checked: Bool = true, runID: Int64, shardID: Int64,
        config: RunConfig, on connection: PostgresConnection
    ) async throws -> Int {
        let onConflict = checked ? "ON CONFLICT (run_id, content_hash, stage, round) DO NOTHING" : ""
        let rows = try await BoundedClient.statement(
            """
            WITH inserted AS (
                INSERT INTO \(unescaped: s).tasks
                    (run_id, shard_id, content_hash, stage, round, stages_left, source_line, source_id,
                     instruction, input, reference_output, max_attempts)
                SELECT \(runID), \(shardID), decode(u.hash, 'hex'), 'rewrite', 1, \(config.stagesPerRow), u.line,
                       NULLIF(u.source_id, ''), u.instruction, u.input, NULLIF(u.output, ''), \(config.maxAttempts)
                FROM unnest(\(records.map(\.hash.hex))::text[], \(records.map(\.record.line))::int8[],
                            \(records.map { $0.record.sourceID ?? "" })::text[], \(records.map(\.record.instruction))::text[],
                            \(records.map(\.record.input))::text[], \(records.map { $0.record.referenceOutput ?? "" })::text[])
                     AS u(hash, line, source_id, instruction, input, output)
                -- A subquery for each record (one lookup in the unique key), not NOT EXISTS: the
                -- planner turns that into a join that reads the run's every task for each batch.
                WHERE NOT \(checked) OR (
                    SELECT stored.id FROM \(unescaped: s).tasks AS stored
                    WHERE stored.run_id = \(runID) AND stored.content_hash = decode(u.hash, 'hex')
                        AND stored.stage = 'rewrite' AND stored.round = 1) IS NULL
                \(unescaped: onConflict)
                RETURNING 1
            )
            SELECT count(*) FROM inserted
            """, on: connection, logger: logger)
        for row in rows { return try row.decode(Int.self) }
        return 0
    }
}
