import PostgresNIO
import TreeInstructCore

/// Attempts that ended in one minute of a run.
public struct MinuteCount: Sendable, Hashable {
    /// The minute's start, seconds since 1970.
    public var minute: Double
    public var succeeded: Int
    public var notSucceeded: Int
}

extension ProgressReports {
    /// Ended attempts per minute over the last `minutes` minutes of run `runID`'s activity
    /// (up to its latest attempt, so a finished run still shows its last hour), oldest first;
    /// a range of attempts_by_run_time.
    public func recentThroughput(runID: Int64, minutes: Int = 60) async throws -> [MinuteCount] {
        let result = try await client.collect(
            """
            SELECT extract(epoch FROM date_trunc('minute', a.finished_at))::float8 AS minute,
                   count(*) FILTER (WHERE a.outcome = 'succeeded') AS succeeded,
                   count(*) FILTER (WHERE a.outcome <> 'succeeded') AS not_succeeded
            FROM \(unescaped: s).attempts a
            WHERE a.run_id = \(runID)
              AND a.finished_at > (SELECT max(l.finished_at) FROM \(unescaped: s).attempts l WHERE l.run_id = \(runID))
                                  - make_interval(mins => \(minutes)::int4)
            GROUP BY 1
            ORDER BY 1
            """, logger: logger)
        return try result.map { row in
            let (minute, succeeded, notSucceeded) = try row.decode((Double, Int, Int).self)
            return MinuteCount(minute: minute, succeeded: succeeded, notSucceeded: notSucceeded)
        }
    }
}
