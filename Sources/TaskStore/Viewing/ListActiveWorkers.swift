import PostgresNIO
import TreeInstructCore

/// A worker heard from in the last minute (the active_workers view).
public struct ActiveWorker: Sendable, Hashable {
    public var id: String
    public var host: String
    public var concurrency: Int
    public var runningTasks: Int
    public var succeededLastFiveMinutes: Int
    public var secondsSinceHeartbeat: Double
}

extension ProgressReports {
    /// Every worker heard from in the last minute, busiest first.
    public func activeWorkers() async throws -> [ActiveWorker] {
        let result = try await client.collect(
            """
            SELECT worker_id, host, concurrency, running_tasks, succeeded_last_5m,
                   extract(epoch FROM now() - last_heartbeat)::float8 AS quiet
            FROM \(unescaped: s).active_workers
            ORDER BY running_tasks DESC, worker_id
            """, logger: logger)
        return try result.map { row in
            let (id, host, concurrency, running, succeeded, quiet) = try row.decode((String, String, Int, Int, Int, Double).self)
            return ActiveWorker(
                id: id, host: host, concurrency: concurrency, runningTasks: running, succeededLastFiveMinutes: succeeded,
                secondsSinceHeartbeat: quiet)
        }
    }
}
