import PostgresNIO
import TreeInstructCore

extension TaskLeases {
    /// Extends by `lease` the leases `owner` holds on `tasks` (a batch's, to the provider's
    /// deadline), as `heartbeat` does, answering only how many: a batch holds up to 50,000.
    @discardableResult
    public func extendLeases(owner: String, holding tasks: [ClaimedTask], lease: Duration) async throws -> Int {
        let rows = try await client.query(
            """
            SELECT count(*) FROM \(unescaped: s).renew_leases(
                \(owner), \(tasks.map(\.id))::int8[], \(tasks.map(\.leaseToken))::int8[], \(lease.inSeconds))
            """, logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
