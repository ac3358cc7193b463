import PostgresNIO
import TreeInstructCore

extension RunCatalog {
    /// The next unused shard number of a run, taken for good in one short statement: concurrent
    /// callers each get their own. Never below one past the highest shard stored, so shards
    /// numbered some other way cannot be handed out twice.
    public func takeShardNumber(runID: Int64) async throws -> Int {
        let rows = try await client.query(
            """
            UPDATE \(unescaped: s).runs
            SET shards_numbered = greatest(shards_numbered,
                    (SELECT coalesce(max(ordinal) + 1, 0) FROM \(unescaped: s).shards WHERE run_id = \(runID))) + 1
            WHERE id = \(runID)
            RETURNING shards_numbered - 1
            """, logger: logger)
        for try await number in rows.decode(Int.self) { return number }
        throw StoreInvariantViolated(message: "run \(runID) not found while numbering a shard")
    }
}
