import PostgresNIO
import TreeInstructCore

extension RowBrowser {
    /// Rows read per page at most when a filter thins them (difficulty, text): the page shows
    /// what those held and goes on from there, so no page reads the whole run.
    public static let readLimit = 2_000

    /// A page of run `runID`'s source rows in file order after `cursor`, or with
    /// `filter.failureCode` its failed tasks' rows. Every page is a range of tasks_rows or
    /// tasks_failures (Migrations/0015); a thinning filter reads at most `readLimit` rows.
    public func page(runID: Int64, filter: RowFilter, after cursor: RowCursor, size: Int) async throws -> RowListing {
        let read = filter.thins ? Self.readLimit : size
        let lines = filter.lines ?? 0...Int(Int32.max)
        // A shard's list starts at its first line, not at the run's: the index range begins there.
        let cursor = cursor.line < lines.lowerBound ? RowCursor(line: lines.lowerBound, taskID: 0) : cursor
        let result = try await client.collect(
            """
            WITH read AS MATERIALIZED (
                (SELECT r.source_line, r.id, r.content_hash
                 FROM \(unescaped: s).tasks r
                 WHERE \(filter.failureCode)::text IS NULL AND r.run_id = \(runID) AND r.parent_task_id IS NULL
                   AND (r.source_line, r.id) > (\(cursor.line)::int4, \(cursor.taskID)::int8)
                   AND r.source_line BETWEEN \(lines.lowerBound)::int4 AND \(lines.upperBound)::int4
                 ORDER BY r.source_line, r.id
                 LIMIT \(read))
                UNION ALL
                (SELECT f.source_line, f.id, f.content_hash
                 FROM \(unescaped: s).tasks f
                 WHERE \(filter.failureCode)::text IS NOT NULL AND f.run_id = \(runID) AND f.state = 'failed'
                   AND f.last_error_code = \(filter.failureCode)
                   AND (f.source_line, f.id) > (\(cursor.line)::int4, \(cursor.taskID)::int8)
                   AND f.source_line BETWEEN \(lines.lowerBound)::int4 AND \(lines.upperBound)::int4
                 ORDER BY f.source_line, f.id
                 LIMIT \(read))
            ),
            shown AS (
                SELECT rd.source_line, rd.id AS cursor_id, root.shard_id, root.instruction,
                       chain_end.state, chain_end.stage, chain_end.round, chain_end.last_error_code,
                       last_rewrite.new_instruction, last_rewrite.difficulty, problem.text AS problem, problem.answer
                FROM read rd
                JOIN LATERAL (
                    SELECT t.shard_id, t.instruction FROM \(unescaped: s).tasks t
                    WHERE t.run_id = \(runID) AND t.content_hash = rd.content_hash AND t.parent_task_id IS NULL
                    LIMIT 1) root ON true
                JOIN LATERAL (
                    SELECT t.state::text AS state, t.stage::text AS stage, t.round, t.last_error_code FROM \(unescaped: s).tasks t
                    WHERE t.run_id = \(runID) AND t.content_hash = rd.content_hash
                    ORDER BY t.stage DESC, t.round DESC
                    LIMIT 1) chain_end ON true
                LEFT JOIN LATERAL (
                    SELECT res.new_instruction, res.difficulty
                    FROM \(unescaped: s).tasks t JOIN \(unescaped: s).results res ON res.task_id = t.id
                    WHERE t.run_id = \(runID) AND t.content_hash = rd.content_hash AND t.stage = 'rewrite'
                    ORDER BY t.round DESC
                    LIMIT 1) last_rewrite ON true
                LEFT JOIN LATERAL (
                    SELECT coalesce(a.code, a.outcome) || coalesce(': ' || a.detail, '') AS text, left(a.answer, 600) AS answer
                    FROM \(unescaped: s).attempts a
                    WHERE \(filter.failureCode)::text IS NOT NULL AND a.task_id = rd.id AND a.outcome <> 'succeeded'
                    ORDER BY a.id DESC
                    LIMIT 1) problem ON true
                WHERE (\(filter.difficulty)::int4 IS NULL OR last_rewrite.difficulty = \(filter.difficulty)::int4)
                  AND (\(filter.search)::text IS NULL
                       OR strpos(lower(root.instruction), lower(\(filter.search)::text)) > 0
                       OR strpos(lower(coalesce(last_rewrite.new_instruction, '')), lower(\(filter.search)::text)) > 0)
                ORDER BY rd.source_line, rd.id
                LIMIT \(size)
            ),
            read_end AS (SELECT count(*) AS read, max(source_line) AS end_line FROM read)
            SELECT e.read, e.end_line, (SELECT max(r2.id) FROM read r2 WHERE r2.source_line = e.end_line) AS end_id,
                   sh.source_line, sh.cursor_id, sh.shard_id, sh.instruction, sh.state, sh.stage, sh.round,
                   sh.last_error_code, sh.new_instruction, sh.difficulty, sh.problem, sh.answer
            FROM read_end e LEFT JOIN shown sh ON true
            ORDER BY sh.source_line, sh.cursor_id
            """, logger: logger)
        var rows: [RowSummary] = []
        var (readCount, readEnd): (Int, RowCursor?) = (0, nil)
        for row in result {
            let c = row.makeRandomAccess()
            readCount = try c["read"].decode(Int.self)
            if let line = try c["end_line"].decode(Int?.self), let id = try c["end_id"].decode(Int64?.self) {
                readEnd = RowCursor(line: line, taskID: id)
            }
            guard let line = try c["source_line"].decode(Int?.self) else { continue }
            rows.append(
                RowSummary(
                    line: line, cursorTaskID: try c["cursor_id"].decode(Int64.self), shardID: try c["shard_id"].decode(Int64.self),
                    instruction: try c["instruction"].decode(String.self), newInstruction: try c["new_instruction"].decode(String?.self),
                    difficulty: try c["difficulty"].decode(Int?.self), state: try c["state"].decode(String.self),
                    stage: try c["stage"].decode(String.self), round: try c["round"].decode(Int.self),
                    errorCode: try c["last_error_code"].decode(String?.self), problem: try c["problem"].decode(String?.self),
                    rejectedAnswer: try c["answer"].decode(String?.self)))
        }
        // A full page goes on after its last row; a short one after what it read, unless it
        // read all there was.
        let next: RowCursor? =
            rows.count == size
            ? rows.last.map { RowCursor(line: $0.line, taskID: $0.cursorTaskID) }
            : (readCount == read ? readEnd : nil)
        return RowListing(rows: rows, next: next, read: readCount)
    }
}
