import PostgresNIO
import TreeInstructCore

extension BatchRecords {
    /// The tasks a batch still holds, with their lease tokens (function `held_batch_tasks`,
    /// Migrations/0017: the worker role cannot read tokens or texts otherwise).
    public func heldTasks(batchID: Int64) async throws -> [ClaimedTask] {
        let result = try await client.collect(
            "SELECT \(unescaped: ClaimedTask.claimColumns) FROM \(unescaped: s).held_batch_tasks(\(batchID))", logger: logger)
        return try result.map { try ClaimedTask(claimRow: $0.makeRandomAccess()) }
    }
}
