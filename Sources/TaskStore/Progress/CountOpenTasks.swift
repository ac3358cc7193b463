import PostgresNIO
import TreeInstructCore

extension ProgressReports {
    /// Tasks not yet terminal (pending, including retries waiting for their time, or running),
    /// in the given runs or in all: zero means the work is done. Pending tasks of a cancelled
    /// run are not open: nothing will claim them.
    ///
    /// Workers that leave once their runs are done ask this at the end of a run, several times
    /// a second between them, so it counts through the partial indexes on pending and running
    /// tasks (two counts): it reads what is open, not the finished rows of every run.
    public func openTaskCount(runIDs: [Int64]? = nil) async throws -> Int {
        let runs = runIDs ?? []
        let rows = try await client.query(
            """
            SELECT
              (SELECT count(*) FROM \(unescaped: s).tasks
               WHERE state = 'pending'
                 AND (cardinality(\(runs)::int8[]) = 0 OR run_id = ANY(\(runs)::int8[]))
                 AND NOT run_id = ANY(ARRAY(SELECT id FROM \(unescaped: s).runs WHERE cancelled_at IS NOT NULL)))
              + (SELECT count(*) FROM \(unescaped: s).tasks
                 WHERE state = 'running' AND (cardinality(\(runs)::int8[]) = 0 OR run_id = ANY(\(runs)::int8[])))
            """, logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
