import PostgresNIO
import TreeInstructCore

extension TaskLeases {
    /// Records a failed attempt and, while attempts remain and the failure is retryable, puts
    /// the task back to pending after `retryDelay`; otherwise fails it for good. A task of a run
    /// cancelled meanwhile is cancelled instead of going back to pending.
    /// Only the lease holder can do this; a stale call changes nothing and returns `.stale`.
    public func fail(
        _ task: ClaimedTask, workerID: String, failure: AttemptFailure, retryDelay: Duration,
        report: CallReport
    ) async throws -> LeaseOutcome {
        let rows = try await client.query(
            """
            WITH failed AS (
                UPDATE \(unescaped: s).tasks
                SET state = CASE WHEN run.cancelled THEN 'cancelled'
                                 WHEN \(failure.retryable) AND (attempts < max_attempts OR NOT \(failure.countsAsAttempt))
                                 THEN 'pending' ELSE 'failed' END::\(unescaped: s).task_state,
                    attempts = attempts - CASE WHEN \(failure.countsAsAttempt) THEN 0 ELSE 1 END,
                    run_after = now() + make_interval(secs => \(retryDelay.inSeconds)),
                    finished_at = CASE WHEN NOT run.cancelled AND \(failure.retryable)
                                            AND (attempts < max_attempts OR NOT \(failure.countsAsAttempt))
                                       THEN NULL ELSE now() END,
                    lease_owner = NULL, lease_expires_at = NULL, last_error_code = \(failure.code)
                FROM (SELECT cancelled_at IS NOT NULL AS cancelled FROM \(unescaped: s).runs WHERE id = \(task.runID)) run
                WHERE id = \(task.id) AND state = 'running' AND lease_token = \(task.leaseToken)
                RETURNING id, run_id, attempts, claimed_at
            ), attempt AS (
                INSERT INTO \(unescaped: s).attempts
                    (task_id, run_id, attempt, lease_token, worker_id, started_at, outcome, code, detail, http_status,
                     prompt_tokens, completion_tokens, latency_ms, model)
                SELECT id, run_id, \(task.attempt), \(task.leaseToken), \(workerID), claimed_at, \(failure.outcome), \(failure.code),
                       \(failure.detail), \(report.httpStatus), \(report.promptTokens), \(report.completionTokens),
                       \(report.latencyMilliseconds), \(report.model)
                FROM failed
            )
            SELECT count(*) FROM failed
            """, logger: logger)
        for try await count in rows.decode(Int.self) where count == 1 { return .recorded }
        logger.warning("stale failure ignored", metadata: ["task": "\(task.id)", "lease_token": "\(task.leaseToken)"])
        return .stale
    }
}
