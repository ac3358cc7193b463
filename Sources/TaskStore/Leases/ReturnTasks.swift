import PostgresNIO
import TreeInstructCore

extension TaskLeases {
    /// Gives held tasks back under `code` and `detail`, due again after `retryAfter`: without
    /// using an attempt (a batch that expired or was cancelled before answering them), or using
    /// it (`usesAttempt`: a batch the provider failed; failed for good on the last one);
    /// cancelled if their run was. Returns how many were returned.
    ///
    /// The statement is the function `return_tasks` (Migrations/0017_provider_batches.sql).
    @discardableResult
    public func returnTasks(
        _ tasks: [ClaimedTask], owner: String, code: String, detail: String, usesAttempt: Bool = false, retryAfter: Duration = .zero
    ) async throws -> Int {
        guard !tasks.isEmpty else { return 0 }
        let rows = try await client.query(
            """
            SELECT \(unescaped: s).return_tasks(\(owner), \(tasks.map(\.id))::int8[], \(tasks.map(\.leaseToken))::int8[], \(code),
                                                \(detail), \(usesAttempt), \(retryAfter.inSeconds))
            """, logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
