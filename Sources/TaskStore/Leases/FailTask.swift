import PostgresNIO
import TreeInstructCore

extension TaskLeases {
    /// Records a failed attempt and, while attempts remain and the failure is retryable, puts
    /// the task back to pending after `retryDelay`; otherwise fails it for good. A task of a run
    /// cancelled meanwhile is cancelled instead of going back to pending.
    /// Only the lease holder can do this; a stale call changes nothing and returns `.stale`.
    ///
    /// The statement is the function `fail_task` (Migrations/0009_worker_functions.sql, with the
    /// rejected answer of 0016; its current form is 0020's): the worker role may run it without
    /// holding any write privilege on the tables it changes.
    public func fail(
        _ task: ClaimedTask, workerID: String, failure: AttemptFailure, retryDelay: Duration,
        report: CallReport
    ) async throws -> LeaseOutcome {
        let rows = try await client.query(
            """
            SELECT \(unescaped: s).fail_task(
                \(workerID), \(task.id), \(task.leaseToken), \(task.attempt)::int4, \(failure.retryable), \(failure.countsAsAttempt),
                \(retryDelay.inSeconds), \(failure.outcome), \(failure.code), \(failure.detail), \(report.httpStatus)::int4,
                \(report.promptTokens)::int4, \(report.completionTokens)::int4, \(report.latencyMilliseconds)::int4, \(report.model),
                \(failure.answer)::text)
            """, logger: logger)
        for try await count in rows.decode(Int.self) where count == 1 { return .recorded }
        logger.warning("stale failure ignored", metadata: ["task": "\(task.id)", "lease_token": "\(task.leaseToken)"])
        return .stale
    }
}
