import Foundation
import PostgresNIO
import TreeInstructCore

extension BatchRecords {
    /// Records what the provider says of a batch and lets its job go: open, polled again after
    /// `nextPoll`; or ended (the provider is done), to be applied at once. False when another
    /// worker holds the job now.
    public func recordProvider(_ ticket: BatchTicket, batch: ProviderBatch, nextPoll: Duration) async throws -> Bool {
        let ended = batch.hasEnded
        let rows = try await client.query(
            """
            UPDATE \(unescaped: s).batches
            SET state = \(ended ? "ended" : "open"), provider_batch_id = \(batch.id), provider_status = \(batch.status),
                output_file_id = \(batch.outputFileID), error_file_id = \(batch.errorFileID),
                request_count = greatest(request_count, \(batch.total)), completed_count = \(batch.completed),
                failed_count = \(batch.failed), expires_at = \(batch.expiresAt), last_error = \(batch.failure),
                submitted_at = coalesce(submitted_at, now()), ended_at = CASE WHEN \(ended) THEN coalesce(ended_at, now()) END,
                next_poll_at = now() + make_interval(secs => \(ended ? 0 : nextPoll.inSeconds)),
                job_owner = NULL, job_token = NULL, job_expires_at = NULL
            WHERE id = \(ticket.batchID) AND job_token = \(ticket.token) AND state IN ('packing', 'open')
            RETURNING id
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }
}
