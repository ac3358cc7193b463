import PostgresNIO
import TreeInstructCore

extension BatchRecords {
    /// The tasks a batch still holds, with their lease tokens, for the holder of its job
    /// (function `held_batch_tasks`, Migrations/0017: the worker role cannot read tokens or texts
    /// otherwise); none for a ticket that lost the job.
    public func heldTasks(_ ticket: BatchTicket) async throws -> [ClaimedTask] {
        let result = try await client.collect(
            """
            SELECT \(unescaped: ClaimedTask.claimColumns) FROM \(unescaped: s).held_batch_tasks(\(ticket.batchID), \(ticket.token))
            """, logger: logger)
        return try result.map { try ClaimedTask(claimRow: $0.makeRandomAccess()) }
    }
}
