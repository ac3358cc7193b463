import PostgresNIO
import TreeInstructCore

extension RowBrowser {
    /// The codes run `runID`'s failed tasks ended with, in order: one index probe per code
    /// (a skip scan of tasks_failures), however many tasks failed.
    public func failureCodes(runID: Int64) async throws -> [String] {
        let result = try await client.collect(
            """
            WITH RECURSIVE codes (code) AS (
                (SELECT t.last_error_code FROM \(unescaped: s).tasks t
                 WHERE t.run_id = \(runID) AND t.state = 'failed' AND t.last_error_code IS NOT NULL
                 ORDER BY t.last_error_code LIMIT 1)
                UNION ALL
                SELECT (SELECT t.last_error_code FROM \(unescaped: s).tasks t
                        WHERE t.run_id = \(runID) AND t.state = 'failed' AND t.last_error_code > c.code
                        ORDER BY t.last_error_code LIMIT 1)
                FROM codes c WHERE c.code IS NOT NULL
            )
            SELECT code FROM codes WHERE code IS NOT NULL
            """, logger: logger)
        return try result.map { try $0.decode(String.self) }
    }
}
