import PostgresNIO
import TreeInstructCore

extension ResultRows {
    /// Up to `limit` finished rows of a run (rows whose last stage succeeded) after `position`,
    /// in (source line, task id) order; with `difficulty`, rows of that level only.
    ///
    /// Each page is one short query (keyset paging on the `tasks_exportable` index) read whole
    /// on the event loop (`BoundedClient.collect`): no statement stays open while the output is
    /// written, and a connection lost mid-export is an error between pages, never a crash.
    public func exportPage(
        runID: Int64, after position: ExportPosition, difficulty: Int?, lineage: Bool, limit: Int
    ) async throws -> [ExportRow] {
        let rows = try await client.collect(
            """
            SELECT t.id, t.source_line, t.source_id, coalesce(r.new_instruction, t.instruction) AS instruction, t.input,
                   r.response, r.difficulty,
                   CASE WHEN \(lineage) THEN (
                       SELECT jsonb_agg(jsonb_build_object(
                                  'round', rt.round, 'instruction', rt.instruction, 'new_instruction', rr.new_instruction,
                                  'original_tree', rr.original_tree, 'expanded_tree', rr.expanded_tree,
                                  'added_nodes', rr.added_nodes, 'difficulty', rr.difficulty, 'model', rr.model,
                                  'prompt_tokens', rr.prompt_tokens, 'completion_tokens', rr.completion_tokens)
                              ORDER BY rt.round)::text
                       FROM \(unescaped: s).tasks rt
                       JOIN \(unescaped: s).results rr ON rr.task_id = rt.id
                       WHERE rt.run_id = t.run_id AND rt.content_hash = t.content_hash AND rt.stage = 'rewrite'
                   ) END AS lineage
            FROM \(unescaped: s).tasks t
            JOIN \(unescaped: s).results r ON r.task_id = t.id
            WHERE t.run_id = \(runID) AND t.state = 'succeeded' AND t.stages_left = 1
              AND (t.source_line, t.id) > (\(position.sourceLine)::int4, \(position.taskID)::int8)
              AND (\(difficulty)::int4 IS NULL OR r.difficulty = \(difficulty)::int4)
            ORDER BY t.source_line, t.id
            LIMIT \(limit)
            """, logger: logger)
        return try rows.map { row in
            let c = row.makeRandomAccess()
            return ExportRow(
                taskID: try c["id"].decode(Int64.self), sourceLine: try c["source_line"].decode(Int.self),
                sourceID: try c["source_id"].decode(String?.self), instruction: try c["instruction"].decode(String.self),
                input: try c["input"].decode(String.self), output: try c["response"].decode(String?.self),
                difficulty: try c["difficulty"].decode(Int.self), lineageJSON: try c["lineage"].decode(String?.self))
        }
    }
}
