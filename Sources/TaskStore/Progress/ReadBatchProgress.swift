import Foundation
import PostgresNIO

/// One line of batch_progress: a batch-mode run's batches.
public struct BatchProgress: Sendable, Hashable {
    public var runID: Int64
    /// At the provider (or being packed).
    public var open: Int
    /// Ended at the provider, answers not applied yet.
    public var toApply: Int
    public var applied: Int
    public var abandoned: Int
    /// Requests in batches not applied yet.
    public var requestsOut: Int
    public var answersApplied: Int
    public var answersRejected: Int
    public var tasksReturned: Int
    /// The earliest deadline of an open batch.
    public var nextDeadline: Date?
}

extension ProgressReports {
    /// Every run's batches (batch-mode runs only), from the batch_progress view, by run id.
    public func batchProgress() async throws -> [Int64: BatchProgress] {
        let rows = try await client.query(
            """
            SELECT run_id, open_batches, ended_batches, applied_batches, abandoned_batches, requests_out, answers_applied,
                   answers_rejected, tasks_returned, next_deadline
            FROM \(unescaped: s).batch_progress
            """, logger: logger)
        var result: [Int64: BatchProgress] = [:]
        for try await (run, open, ended, applied, abandoned, out, answers, rejected, returned, deadline) in rows.decode(
            (Int64, Int, Int, Int, Int, Int, Int, Int, Int, Date?).self)
        {
            result[run] = BatchProgress(
                runID: run, open: open, toApply: ended, applied: applied, abandoned: abandoned, requestsOut: out, answersApplied: answers,
                answersRejected: rejected, tasksReturned: returned, nextDeadline: deadline)
        }
        return result
    }
}
