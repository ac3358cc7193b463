import PostgresNIO
import TreeInstructCore

extension TaskLeases {
    /// Gives held tasks back to pending without using an attempt, under `code` and `detail`
    /// (a batch that expired or was cancelled before answering them); cancelled if their run
    /// was. Returns how many were returned.
    ///
    /// The statement is the function `return_tasks` (Migrations/0017_provider_batches.sql).
    @discardableResult
    public func returnTasks(_ tasks: [ClaimedTask], owner: String, code: String, detail: String) async throws -> Int {
        guard !tasks.isEmpty else { return 0 }
        let rows = try await client.query(
            """
            SELECT \(unescaped: s).return_tasks(\(owner), \(tasks.map(\.id))::int8[], \(tasks.map(\.leaseToken))::int8[], \(code),
                                                \(detail))
            """, logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
