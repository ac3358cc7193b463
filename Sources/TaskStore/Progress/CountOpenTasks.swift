import PostgresNIO
import TreeInstructCore

extension ProgressReports {
    /// Tasks not yet terminal (pending, including retries waiting for their time, or running),
    /// in the given runs or in all: zero means the work is done.
    public func openTaskCount(runIDs: [Int64]? = nil) async throws -> Int {
        let runs = runIDs ?? []
        let rows = try await client.query(
            """
            SELECT count(*) FROM \(unescaped: s).tasks
            WHERE state IN ('pending', 'running')
              AND (cardinality(\(runs)::int8[]) = 0 OR run_id = ANY(\(runs)::int8[]))
            """, logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
