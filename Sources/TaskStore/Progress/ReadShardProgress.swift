import PostgresNIO
import TreeInstructCore

/// One line of shard_progress.
public struct ShardProgress: Sendable, Hashable {
    public var shardID: Int64
    public var ordinal: Int
    public var sourceFile: String
    public var firstLine: Int
    public var lastLine: Int
    /// in_progress, done, ended_with_failures or cancelled.
    public var state: String
    public var sourceRows: Int
    public var rowsSucceeded: Int
    public var pending: Int
    public var running: Int
    public var failed: Int
    public var cancelled: Int
    public var percentDone: Double
}

extension ProgressReports {
    /// The shards of a run in file order, from the shard_progress view.
    public func shardProgress(runID: Int64) async throws -> [ShardProgress] {
        let rows = try await client.query(
            """
            SELECT shard_id, ordinal, source_file, first_line, last_line, state, source_rows, rows_succeeded,
                   pending, running, failed, cancelled, percent_done::float8 AS percent_done
            FROM \(unescaped: s).shard_progress WHERE run_id = \(runID)
            ORDER BY ordinal
            """, logger: logger)
        var result: [ShardProgress] = []
        for try await row in rows {
            let c = row.makeRandomAccess()
            result.append(
                ShardProgress(
                    shardID: try c["shard_id"].decode(Int64.self), ordinal: try c["ordinal"].decode(Int.self),
                    sourceFile: try c["source_file"].decode(String.self), firstLine: try c["first_line"].decode(Int.self),
                    lastLine: try c["last_line"].decode(Int.self), state: try c["state"].decode(String.self),
                    sourceRows: try c["source_rows"].decode(Int.self), rowsSucceeded: try c["rows_succeeded"].decode(Int.self),
                    pending: try c["pending"].decode(Int.self), running: try c["running"].decode(Int.self),
                    failed: try c["failed"].decode(Int.self), cancelled: try c["cancelled"].decode(Int.self),
                    percentDone: try c["percent_done"].decode(Double.self)))
        }
        return result
    }
}
