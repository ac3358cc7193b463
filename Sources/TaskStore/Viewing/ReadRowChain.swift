import Foundation
import PostgresNIO
import TreeInstructCore

extension RowBrowser {
    /// The chain of tasks of run `runID`'s source row at `line`, first task first (rewrite
    /// rounds in order, then the response), each with its accepted output and its attempts;
    /// empty when the run has no such row. The row's first task comes from tasks_rows, the
    /// others share its content hash, which the unique key finds.
    public func chain(runID: Int64, line: Int) async throws -> [ChainTask] {
        let result = try await client.collect(
            """
            SELECT t.id, t.stage::text AS stage, t.round, t.state::text AS state, t.attempts, t.last_error_code,
                   t.instruction, t.input, t.shard_id, res.new_instruction, res.response, res.original_tree::text AS original_tree,
                   res.expanded_tree::text AS expanded_tree, res.added_nodes::text AS added_nodes, res.difficulty, res.word_count,
                   res.model,
                   (SELECT jsonb_agg(jsonb_build_object('outcome', a.outcome, 'code', a.code, 'detail', a.detail, 'answer', a.answer,
                                                        'finished_at', to_char(a.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')) ORDER BY a.id)
                    FROM (SELECT * FROM \(unescaped: s).attempts a WHERE a.task_id = t.id ORDER BY a.id DESC LIMIT \(Self.attemptsShown)) a
                   )::text AS history,
                   (SELECT count(*) FROM \(unescaped: s).attempts a WHERE a.task_id = t.id) AS attempt_rows
            FROM \(unescaped: s).tasks root
            JOIN \(unescaped: s).tasks t ON t.run_id = root.run_id AND t.content_hash = root.content_hash
            LEFT JOIN \(unescaped: s).results res ON res.task_id = t.id
            WHERE root.run_id = \(runID) AND root.parent_task_id IS NULL AND root.source_line = \(line)::int4
            ORDER BY t.stage, t.round
            """, logger: logger)
        return try result.map { row in
            let c = row.makeRandomAccess()
            return ChainTask(
                id: try c["id"].decode(Int64.self), stage: try c["stage"].decode(String.self), round: try c["round"].decode(Int.self),
                state: try c["state"].decode(String.self), attempts: try c["attempts"].decode(Int.self),
                errorCode: try c["last_error_code"].decode(String?.self), instruction: try c["instruction"].decode(String.self),
                input: try c["input"].decode(String.self), shardID: try c["shard_id"].decode(Int64.self),
                newInstruction: try c["new_instruction"].decode(String?.self), response: try c["response"].decode(String?.self),
                originalTree: Self.tree(try c["original_tree"].decode(String?.self)),
                expandedTree: Self.tree(try c["expanded_tree"].decode(String?.self)),
                addedNodes: Self.labels(try c["added_nodes"].decode(String?.self)), difficulty: try c["difficulty"].decode(Int?.self),
                wordCount: try c["word_count"].decode(Int?.self), model: try c["model"].decode(String?.self),
                history: Self.history(try c["history"].decode(String?.self)), attemptRows: try c["attempt_rows"].decode(Int.self))
        }
    }

    /// Attempts read per task at most, the latest: tries that count no attempt (a 429, an
    /// endpoint that was down) are not bounded by max_attempts.
    public static let attemptsShown = 50

    /// A stored tree ({"label", "children"}), or nil when absent or not one.
    static func tree(_ json: String?) -> SemanticNode? {
        guard let json else { return nil }
        return try? JSONDecoder().decode(SemanticNode.self, from: Data(json.utf8))
    }

    static func labels(_ json: String?) -> [String] {
        guard let json, case .array(let items)? = try? JSONValue.parse(json) else { return [] }
        return items.compactMap { if case .string(let label) = $0 { label } else { nil } }
    }

    static func history(_ json: String?) -> [AttemptRecord] {
        guard let json, case .array(let items)? = try? JSONValue.parse(json) else { return [] }
        return items.map { item in
            func text(_ key: String) -> String? { if case .string(let value)? = item[key] { value } else { nil } }
            return AttemptRecord(
                outcome: text("outcome") ?? "", code: text("code"), detail: text("detail"), answer: text("answer"),
                finishedAt: text("finished_at") ?? "")
        }
    }
}
