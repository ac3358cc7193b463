import PostgresNIO
import TreeInstructCore

extension TaskLeases {
    /// Hands tasks back at a clean shutdown: pending again at once, the try not counted (the
    /// call was never finished), the release kept in the history; cancelled if its run was
    /// cancelled meanwhile. Returns how many were released.
    ///
    /// The statement is the function `release_tasks` (Migrations/0009_worker_functions.sql): the worker
    /// role may run it without holding any write privilege on the tables it changes.
    @discardableResult
    public func release(_ tasks: [ClaimedTask], workerID: String) async throws -> Int {
        guard !tasks.isEmpty else { return 0 }
        let rows = try await client.query(
            """
            SELECT \(unescaped: s).release_tasks(\(workerID), \(tasks.map(\.id))::int8[], \(tasks.map(\.leaseToken))::int8[])
            """, logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
