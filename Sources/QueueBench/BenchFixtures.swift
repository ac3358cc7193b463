import PostgresNIO
import TaskStore

/// Benchmark-only statements, kept out of the product's task store.
extension QueueSchema {
    /// Benchmarks only: `count` succeeded tasks of `runID` (no results), made in the database
    /// in one statement, so a claim can be timed against a table of millions of finished rows.
    func seedFinishedTasks(runID: Int64, count: Int, firstNumber: Int) async throws {
        guard count > 0 else { return }
        try await client.query(
            """
            INSERT INTO \(unescaped: "\"\(schema)\"").tasks (run_id, shard_id, content_hash, stage, round, stages_left, source_line,
                                              instruction, state, attempts, max_attempts, finished_at)
            SELECT \(runID), (SELECT min(id) FROM \(unescaped: "\"\(schema)\"").shards WHERE run_id = \(runID)),
                   decode(md5('finished-' || n), 'hex'), 'rewrite', 1, 1, n,
                   'Finished benchmark instruction ' || n, 'succeeded', 1, 6, now() - interval '1 hour'
            FROM generate_series(\(firstNumber)::int, \(firstNumber + count - 1)::int) AS n
            """, logger: logger)
    }

    /// Refreshes the planner's statistics of the task table (after bulk changes).
    func analyze() async throws {
        try await client.query("ANALYZE \(unescaped: "\"\(schema)\"").tasks", logger: logger)
    }
}
