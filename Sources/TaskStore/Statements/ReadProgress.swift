import PostgresNIO

/// One line of run_progress.
public struct RunProgress: Sendable, Hashable {
    public var run: String
    public var sourceRows: Int
    public var pending: Int
    public var running: Int
    public var succeeded: Int
    public var failed: Int
    public var cancelled: Int
    public var rowsFinished: Int
    public var percentDone: Double
    public var tasksPerMinute: Double
    public var etaSeconds: Double?
    public var promptTokens: Int
    public var completionTokens: Int
}

extension TaskQueue {
    /// Progress of every run (or the one named), from the run_progress view plus token totals.
    public func progress(run name: String? = nil) async throws -> [RunProgress] {
        let rows = try await client.query("""
            SELECT p.run, p.source_rows, p.pending, p.running, p.succeeded, p.failed, p.cancelled, p.rows_finished,
                   p.percent_done::float8, p.tasks_per_minute::float8, extract(epoch FROM p.eta)::float8,
                   coalesce((SELECT sum(prompt_tokens) FROM \(unescaped: s).attempts a WHERE a.run_id = p.run_id), 0)::int8,
                   coalesce((SELECT sum(completion_tokens) FROM \(unescaped: s).attempts a WHERE a.run_id = p.run_id), 0)::int8
            FROM \(unescaped: s).run_progress p
            WHERE \(name)::text IS NULL OR p.run = \(name)
            ORDER BY p.run_id
            """, logger: logger)
        var result: [RunProgress] = []
        for try await r in rows.decode((String, Int, Int, Int, Int, Int, Int, Int, Double, Double, Double?, Int, Int).self) {
            result.append(RunProgress(run: r.0, sourceRows: r.1, pending: r.2, running: r.3, succeeded: r.4, failed: r.5, cancelled: r.6,
                                      rowsFinished: r.7, percentDone: r.8, tasksPerMinute: r.9, etaSeconds: r.10,
                                      promptTokens: r.11, completionTokens: r.12))
        }
        return result
    }

    /// The most frequent failure codes of a run, from failure_reasons.
    public func topFailures(run name: String, limit: Int = 5) async throws -> [(code: String, attempts: Int, example: String)] {
        let rows = try await client.query("""
            SELECT coalesce(code, outcome), attempts, coalesce(example, '')
            FROM \(unescaped: s).failure_reasons WHERE run = \(name)
            ORDER BY attempts DESC LIMIT \(limit)
            """, logger: logger)
        var result: [(String, Int, String)] = []
        for try await row in rows.decode((String, Int, String).self) { result.append(row) }
        return result
    }
}
