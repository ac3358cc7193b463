import PostgresNIO
import TreeInstructCore

/// Which lines of which file a shard holds.
public struct ShardSpan: Sendable, Hashable {
    public var shardID: Int64
    public var ordinal: Int
    public var sourceFile: String
    public var lines: ClosedRange<Int>
}

extension RowBrowser {
    /// Run `runID`'s shards in file order, without counting their tasks (shard_progress does).
    public func shardSpans(runID: Int64) async throws -> [ShardSpan] {
        let result = try await client.collect(
            """
            SELECT id, ordinal, source_file, first_line, last_line FROM \(unescaped: s).shards
            WHERE run_id = \(runID) ORDER BY ordinal
            """, logger: logger)
        return try result.map { row in
            let (id, ordinal, file, first, last) = try row.decode((Int64, Int, String, Int, Int).self)
            return ShardSpan(shardID: id, ordinal: ordinal, sourceFile: file, lines: first...max(first, last))
        }
    }
}
