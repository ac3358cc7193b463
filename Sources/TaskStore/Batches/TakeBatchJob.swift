import Foundation
import PostgresNIO
import TreeInstructCore

extension BatchRecords {
    /// Takes the next due job on a batch of `endpoint` for `lease`, oldest batch first: one
    /// whose packer's job ran out (it died), an open one due for a poll or asked to cancel, an
    /// ended one to apply. Each job is held by one worker at a time (SKIP LOCKED, and a new
    /// token that fences the holder's writes).
    public func takeJob(workerID: String, endpoint: String, lease: Duration) async throws -> BatchJob? {
        let token = Int64.random(in: 1..<(1 << 53))
        let rows = try await client.query(
            """
            UPDATE \(unescaped: s).batches b
            SET job_owner = \(workerID), job_token = \(token), job_expires_at = now() + make_interval(secs => \(lease.inSeconds))
            WHERE b.id = (
                SELECT c.id FROM \(unescaped: s).batches c
                WHERE c.endpoint = \(endpoint) AND c.state IN ('packing', 'open', 'ended')
                  AND (c.job_expires_at IS NULL OR c.job_expires_at < now())
                  AND (c.state <> 'open' OR c.next_poll_at <= now()
                       OR (c.cancel_requested_at IS NOT NULL
                           AND c.provider_status NOT IN ('cancelling', 'cancelled', 'completed', 'expired', 'failed')))
                ORDER BY c.id
                LIMIT 1
                FOR UPDATE SKIP LOCKED)
            RETURNING b.id, b.run_id, b.state, b.reference, b.provider_batch_id, b.output_file_id, b.error_file_id, b.provider_status,
                      b.created_at, b.expires_at, b.cancel_requested_at IS NOT NULL
            """, logger: logger)
        for try await (id, runID, state, reference, providerID, output, errors, status, created, expires, cancel) in rows.decode(
            (Int64, Int64, String, String, String?, String?, String?, String?, Date, Date?, Bool).self)
        {
            return BatchJob(
                ticket: BatchTicket(batchID: id, token: token), runID: runID, stage: BatchJob.Stage(rawValue: state) ?? .open,
                reference: reference, providerBatchID: providerID, outputFileID: output, errorFileID: errors, providerStatus: status,
                createdAt: created, expiresAt: expires, cancelRequested: cancel)
        }
        return nil
    }
}
