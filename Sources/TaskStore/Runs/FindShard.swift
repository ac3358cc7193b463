import PostgresNIO
import TreeInstructCore

extension RunCatalog {
    /// Whether shard `shardID` belongs to run `runID` (a shard of another run must not be rerun
    /// by a typo).
    public func shardExists(_ shardID: Int64, runID: Int64) async throws -> Bool {
        let rows = try await client.query(
            "SELECT count(*) FROM \(unescaped: s).shards WHERE id = \(shardID) AND run_id = \(runID)", logger: logger)
        for try await count in rows.decode(Int.self) { return count > 0 }
        return false
    }
}
