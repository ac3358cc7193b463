import Foundation
import PostgresNIO
import TreeInstructCore

extension BatchRecords {
    /// Starts a batch of up to `limit` due tasks of one batch-mode run (of `runIDs` only, when
    /// given): its row, its packing job held by `workerID` for `lease` and its tasks leased to
    /// the batch three times as long. nil when no batch run has due work.
    ///
    /// The statement is the function `open_batch` (Migrations/0017_provider_batches.sql; its current form is
    /// 0018's, which leases through 0019's lease_pending_tasks).
    public func openBatch(workerID: String, endpoint: String, limit: Int, lease: Duration, runIDs: [Int64]?) async throws -> OpenedBatch? {
        let rows = try await client.query(
            """
            SELECT batch_id, job_token, reference, \(unescaped: ClaimedTask.claimColumns)
            FROM \(unescaped: s).open_batch(\(workerID), \(endpoint), \(limit)::int4, \(lease.inSeconds), \(runIDs ?? [])::int8[])
            """, logger: logger)
        var opened: OpenedBatch?
        for try await row in rows {
            let c = row.makeRandomAccess()
            let task = try ClaimedTask(claimRow: c)
            if opened == nil {
                opened = OpenedBatch(
                    ticket: BatchTicket(batchID: try c["batch_id"].decode(Int64.self), token: try c["job_token"].decode(Int64.self)),
                    runID: task.runID, reference: try c["reference"].decode(String.self), tasks: [])
            }
            opened?.tasks.append(task)
        }
        return opened
    }
}
