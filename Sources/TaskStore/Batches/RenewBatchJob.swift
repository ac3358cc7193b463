import PostgresNIO
import TreeInstructCore

extension BatchRecords {
    /// Holds a batch's job `lease` longer; false when another worker has it now.
    public func renewJob(_ ticket: BatchTicket, lease: Duration) async throws -> Bool {
        let rows = try await client.query(
            """
            UPDATE \(unescaped: s).batches SET job_expires_at = now() + make_interval(secs => \(lease.inSeconds))
            WHERE id = \(ticket.batchID) AND job_token = \(ticket.token)
            RETURNING id
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }
}
