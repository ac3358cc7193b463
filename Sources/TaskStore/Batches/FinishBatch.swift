import PostgresNIO
import TreeInstructCore

extension BatchRecords {
    /// Ends a batch: applied (with what applying did) or abandoned (never at the provider),
    /// and lets its job go. False when another worker holds the job now.
    public func finish(_ ticket: BatchTicket, state: BatchEnd, tally: BatchTally, note: String?) async throws -> Bool {
        let rows = try await client.query(
            """
            UPDATE \(unescaped: s).batches
            SET state = \(state.rawValue), applied_count = applied_count + \(tally.applied),
                rejected_count = rejected_count + \(tally.rejected), returned_count = returned_count + \(tally.returned),
                last_error = coalesce(\(note), last_error), applied_at = now(),
                job_owner = NULL, job_token = NULL, job_expires_at = NULL
            WHERE id = \(ticket.batchID) AND job_token = \(ticket.token)
            RETURNING id
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }
}
