import PostgresNIO
import TreeInstructCore

/// One finished source row, ready to write out: the final instruction, its input, the answer,
/// and, when asked for, how it got there.
public struct ExportRow: Sendable, Hashable {
    public var taskID: Int64
    public var sourceLine: Int
    public var sourceID: String?
    public var instruction: String
    public var input: String
    /// The respond stage's answer; nil when the run has no respond stage.
    public var output: String?
    public var difficulty: Int
    /// JSON array of the row's rewrite rounds (instruction before and after, trees, added
    /// nodes, model, tokens), when lineage was asked for.
    public var lineageJSON: String?
}

/// Order of exported rows.
public enum ExportOrder: String, Sendable, CaseIterable {
    /// As in the source corpus.
    case source
    /// Easiest first, for curriculum experiments.
    case difficulty
}

extension ResultRows {
    /// Streams the finished rows of a run (rows whose last stage succeeded), in constant memory:
    /// rows are read from the server as `body` consumes them.
    public func exportRows(
        runID: Int64, order: ExportOrder, lineage: Bool,
        _ body: (ExportRow) async throws -> Void
    ) async throws {
        let byDifficulty = order == .difficulty
        let rows = try await client.query(
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
            ORDER BY CASE WHEN \(byDifficulty) THEN r.difficulty ELSE 0 END, t.source_line, t.id
            """, logger: logger)
        for try await row in rows {
            let c = row.makeRandomAccess()
            try await body(
                ExportRow(
                    taskID: try c["id"].decode(Int64.self), sourceLine: try c["source_line"].decode(Int.self),
                    sourceID: try c["source_id"].decode(String?.self), instruction: try c["instruction"].decode(String.self),
                    input: try c["input"].decode(String.self), output: try c["response"].decode(String?.self),
                    difficulty: try c["difficulty"].decode(Int.self), lineageJSON: try c["lineage"].decode(String?.self)))
        }
    }
}
