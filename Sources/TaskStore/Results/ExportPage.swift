import Foundation
import PostgresNIO
import TreeInstructCore

extension ResultRows {
    /// Up to `limit` finished rows of a run (rows whose last stage succeeded) after `position`,
    /// in (source line, task id) order; with `difficulty`, rows of that level only.
    ///
    /// Each page is one short query (keyset paging on the `tasks_exportable` index) whose answer
    /// is a single value, the page as one JSON array: no statement stays open while the output
    /// is written, and no row stream waits on its reader. (postgres-nio stops the process with a
    /// precondition failure when a connection closes while a result of many rows waits for its
    /// reader; one row per page leaves that no time to happen: see the notes.)
    public func exportPage(
        runID: Int64, after position: ExportPosition, difficulty: Int?, lineage: Bool, limit: Int
    ) async throws -> [ExportRow] {
        let rows = try await client.query(
            """
            SELECT json_agg(json_build_object(
                       'id', p.id, 'source_line', p.source_line, 'source_id', p.source_id, 'instruction', p.instruction,
                       'input', p.input, 'response', p.response, 'difficulty', p.difficulty, 'lineage', p.lineage)
                   ORDER BY p.source_line, p.id)::text
            FROM (
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
            ) p
            """, logger: logger)
        var text: String?
        for try await page in rows.decode(String?.self) { text = page }
        guard let text else { return [] }
        return try JSONDecoder().decode([PageRow].self, from: Data(text.utf8)).map(\.row)
    }

    /// One element of a page as the statement writes it.
    private struct PageRow: Decodable {
        var id: Int64
        var source_line: Int
        var source_id: String?
        var instruction: String
        var input: String
        var response: String?
        var difficulty: Int
        var lineage: String?

        var row: ExportRow {
            ExportRow(
                taskID: id, sourceLine: source_line, sourceID: source_id, instruction: instruction, input: input, output: response,
                difficulty: difficulty, lineageJSON: lineage)
        }
    }
}
