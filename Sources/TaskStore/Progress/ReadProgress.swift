import PostgresNIO
import TreeInstructCore

/// One line of run_progress.
public struct RunProgress: Sendable, Hashable {
    public var runID: Int64
    public var run: String
    /// in_progress, done, ended_with_failures, cancelled or empty.
    public var state: String
    public var sourceRows: Int
    public var pending: Int
    public var running: Int
    public var succeeded: Int
    public var failed: Int
    public var cancelled: Int
    public var rowsSucceeded: Int
    public var rowsFailed: Int
    public var rowsCancelled: Int
    /// Source rows whose last stage succeeded, in percent; failed and cancelled rows are not done.
    public var percentDone: Double
    /// Over the time actually observed; nil when nothing is left to do or the run is cancelled.
    public var tasksPerMinute: Double?
    public var tasksRemaining: Int
    public var etaSeconds: Double?
    public var promptTokens: Int
    public var completionTokens: Int
    /// Of those, the tokens of answers made through the provider's Batch API.
    public var batchPromptTokens: Int
    public var batchCompletionTokens: Int
}

extension ProgressReports {
    /// Progress of every run (or the one named), from the run_progress view plus token totals.
    public func runProgress(run name: String? = nil) async throws -> [RunProgress] {
        let rows = try await client.query(
            """
            SELECT p.run_id, p.run, p.state, p.source_rows, p.pending, p.running, p.succeeded, p.failed, p.cancelled,
                   p.rows_succeeded, p.rows_failed, p.rows_cancelled, p.percent_done::float8 AS percent_done,
                   p.tasks_per_minute::float8 AS tasks_per_minute, p.tasks_remaining, extract(epoch FROM p.eta)::float8 AS eta_seconds,
                   coalesce(t.prompt_tokens, 0)::int8 AS prompt_tokens, coalesce(t.completion_tokens, 0)::int8 AS completion_tokens,
                   coalesce(t.batch_prompt_tokens, 0)::int8 AS batch_prompt_tokens,
                   coalesce(t.batch_completion_tokens, 0)::int8 AS batch_completion_tokens
            FROM \(unescaped: s).run_progress p
            LEFT JOIN LATERAL (
                SELECT sum(a.prompt_tokens) AS prompt_tokens, sum(a.completion_tokens) AS completion_tokens,
                       sum(a.prompt_tokens) FILTER (WHERE a.worker_id LIKE 'batch:%') AS batch_prompt_tokens,
                       sum(a.completion_tokens) FILTER (WHERE a.worker_id LIKE 'batch:%') AS batch_completion_tokens
                FROM \(unescaped: s).attempts a WHERE a.run_id = p.run_id
            ) t ON true
            WHERE \(name)::text IS NULL OR p.run = \(name)
            ORDER BY p.run_id
            """, logger: logger)
        var result: [RunProgress] = []
        for try await row in rows {
            let c = row.makeRandomAccess()
            result.append(
                RunProgress(
                    runID: try c["run_id"].decode(Int64.self), run: try c["run"].decode(String.self), state: try c["state"].decode(String.self),
                    sourceRows: try c["source_rows"].decode(Int.self), pending: try c["pending"].decode(Int.self),
                    running: try c["running"].decode(Int.self), succeeded: try c["succeeded"].decode(Int.self),
                    failed: try c["failed"].decode(Int.self), cancelled: try c["cancelled"].decode(Int.self),
                    rowsSucceeded: try c["rows_succeeded"].decode(Int.self), rowsFailed: try c["rows_failed"].decode(Int.self),
                    rowsCancelled: try c["rows_cancelled"].decode(Int.self), percentDone: try c["percent_done"].decode(Double.self),
                    tasksPerMinute: try c["tasks_per_minute"].decode(Double?.self), tasksRemaining: try c["tasks_remaining"].decode(Int.self),
                    etaSeconds: try c["eta_seconds"].decode(Double?.self), promptTokens: try c["prompt_tokens"].decode(Int.self),
                    completionTokens: try c["completion_tokens"].decode(Int.self),
                    batchPromptTokens: try c["batch_prompt_tokens"].decode(Int.self),
                    batchCompletionTokens: try c["batch_completion_tokens"].decode(Int.self)))
        }
        return result
    }

    /// The most frequent failure codes of a run, from failure_reasons.
    public func topFailures(run name: String, limit: Int = 5) async throws -> [(code: String, attempts: Int, example: String)] {
        let rows = try await client.query(
            """
            SELECT coalesce(code, outcome), attempts, coalesce(example, '')
            FROM \(unescaped: s).failure_reasons WHERE run = \(name)
            ORDER BY attempts DESC LIMIT \(limit)
            """, logger: logger)
        var result: [(String, Int, String)] = []
        for try await row in rows.decode((String, Int, String).self) { result.append(row) }
        return result
    }
}
