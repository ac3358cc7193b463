import PostgresNIO
import TreeInstructCore

extension ResultRows {
    /// Up to `limit` rows of a run whose chain ended (the `export_rows` view, Migrations/0011:
    /// complete rows, and rows at their last accepted round), chosen by `selection`, after
    /// `position`, in (source line, last task id) order; with `difficulty`, rows of that level only.
    ///
    /// Each page is one short query (keyset paging on the `tasks_chain_ends` index) read whole
    /// on the event loop (`BoundedClient.collect`): no statement stays open while the output is
    /// written, and a connection lost mid-export is an error between pages, never a crash.
    public func exportPage(
        runID: Int64, after position: ExportPosition, difficulty: Int?, selection: ExportSelection = .everyEndedRow,
        lineage: Bool, limit: Int
    ) async throws -> [ExportRow] {
        let rows = try await client.collect(
            """
            SELECT x.last_task_id, x.source_line, x.source_id, x.instruction, x.input, x.response, x.difficulty,
                   CASE WHEN \(lineage) THEN (
                       SELECT jsonb_agg(jsonb_build_object(
                                  'round', rt.round, 'instruction', rt.instruction, 'new_instruction', rr.new_instruction,
                                  'original_tree', rr.original_tree, 'expanded_tree', rr.expanded_tree,
                                  'added_nodes', rr.added_nodes, 'difficulty', rr.difficulty, 'model', rr.model,
                                  'prompt_tokens', rr.prompt_tokens, 'completion_tokens', rr.completion_tokens)
                              ORDER BY rt.round)::text
                       FROM \(unescaped: s).tasks rt
                       JOIN \(unescaped: s).results rr ON rr.task_id = rt.id
                       WHERE rt.run_id = x.run_id AND rt.content_hash = x.content_hash AND rt.stage = 'rewrite'
                   ) END AS lineage
            FROM \(unescaped: s).export_rows x
            WHERE x.run_id = \(runID)
              AND (x.source_line, x.last_task_id) > (\(position.sourceLine)::int4, \(position.taskID)::int8)
              AND (NOT \(selection.completeOnly) OR x.complete)
              AND x.difficulty >= \(selection.minDifficulty)::int4
              AND (\(difficulty)::int4 IS NULL OR x.difficulty = \(difficulty)::int4)
            ORDER BY x.source_line, x.last_task_id
            LIMIT \(limit)
            """, logger: logger)
        return try rows.map { row in
            let c = row.makeRandomAccess()
            return ExportRow(
                lastTaskID: try c["last_task_id"].decode(Int64.self), sourceLine: try c["source_line"].decode(Int.self),
                sourceID: try c["source_id"].decode(String?.self), instruction: try c["instruction"].decode(String.self),
                input: try c["input"].decode(String.self), output: try c["response"].decode(String?.self),
                difficulty: try c["difficulty"].decode(Int.self), lineageJSON: try c["lineage"].decode(String?.self))
        }
    }
}
