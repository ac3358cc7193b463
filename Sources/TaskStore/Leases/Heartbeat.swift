import PostgresNIO
import TreeInstructCore

extension TaskLeases {
    /// Marks the worker alive and extends by `lease` the leases of `tasks` it still holds (each
    /// named by its token, so no other lease can be touched). Returns the ids of those: any
    /// other task it thinks it has was lost (reaped after a stall) and its result will be refused.
    ///
    /// The statement is the function `renew_leases` (Migrations/0009_worker_functions.sql; its
    /// current form is 0020's): the worker role may run it without holding any write privilege
    /// on the tables it changes.
    /// The ids go in id order, the order completions lock in, so the usual plan (the ids one by
    /// one through the primary key) cannot deadlock with the worker's own completion batch.
    public func heartbeat(workerID: String, holding tasks: [ClaimedTask], lease: Duration) async throws -> Set<Int64> {
        let tasks = tasks.sorted { $0.id < $1.id }
        let rows = try await client.query(
            """
            SELECT * FROM \(unescaped: s).renew_leases(
                \(workerID), \(tasks.map(\.id))::int8[], \(tasks.map(\.leaseToken))::int8[], \(lease.inSeconds))
            """, logger: logger)
        var held = Set<Int64>()
        for try await id in rows.decode(Int64.self) { held.insert(id) }
        return held
    }
}
