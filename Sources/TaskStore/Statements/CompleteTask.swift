import Foundation
import PostgresNIO
import TreeInstructCore

extension TaskQueue {
    /// Stores `output` as the task's one result, marks it succeeded, records the attempt and
    /// creates the follow-up task, all in one statement, and only if `task`'s lease is still held.
    ///
    /// A stale completion (lease reaped or re-claimed) writes no result, only a `stale` attempt
    /// so its tokens are still accounted. A follow-up is not created for a cancelled run; one
    /// that exists from an earlier pass (superseded by a full rerun, so cancelled) is revived
    /// with the new instruction.
    public func complete(_ task: ClaimedTask, workerID: String, output: TaskOutput, followUp: FollowUp?,
                         difficulty: Int, report: CallReport) async throws -> LeaseOutcome {
        let rewrite: AcceptedRewrite? = if case .rewrite(let accepted) = output { accepted } else { nil }
        let response: String? = if case .response(let text) = output { text } else { nil }
        let rows = try await client.query("""
            WITH done AS (
                UPDATE \(unescaped: s).tasks
                SET state = 'succeeded', finished_at = now(), lease_owner = NULL, lease_expires_at = NULL,
                    last_error_code = NULL
                WHERE id = \(task.id) AND state = 'running' AND lease_token = \(task.leaseToken)
                RETURNING id, run_id, shard_id, content_hash, stage, round, stages_left, source_line, source_id,
                          input, reference_output, max_attempts, attempts, claimed_at
            ), result AS (
                INSERT INTO \(unescaped: s).results
                    (task_id, run_id, stage, round, difficulty, new_instruction, response, original_tree, expanded_tree,
                     added_nodes, word_count, model, prompt_tokens, completion_tokens)
                SELECT id, run_id, stage, round, \(difficulty), \(rewrite?.newInstruction), \(response),
                       \(Self.json(rewrite?.originalTree))::jsonb, \(Self.json(rewrite?.expandedTree))::jsonb,
                       \(Self.json(rewrite?.addedNodes))::jsonb, \(rewrite?.wordCount), \(report.model),
                       \(report.promptTokens), \(report.completionTokens)
                FROM done
            ), attempt AS (
                INSERT INTO \(unescaped: s).attempts
                    (task_id, run_id, attempt, lease_token, worker_id, started_at, outcome, http_status,
                     prompt_tokens, completion_tokens, latency_ms, model)
                SELECT id, run_id, attempts, \(task.leaseToken), \(workerID), claimed_at, 'succeeded', \(report.httpStatus),
                       \(report.promptTokens), \(report.completionTokens), \(report.latencyMilliseconds), \(report.model)
                FROM done
            ), stale AS (
                INSERT INTO \(unescaped: s).attempts
                    (task_id, run_id, attempt, lease_token, worker_id, started_at, outcome, code, detail, http_status,
                     prompt_tokens, completion_tokens, latency_ms, model)
                SELECT id, run_id, \(task.attempt), \(task.leaseToken), \(workerID), \(task.claimedAt), 'stale', 'lease_lost',
                       'completion refused: the lease was no longer held', \(report.httpStatus),
                       \(report.promptTokens), \(report.completionTokens), \(report.latencyMilliseconds), \(report.model)
                FROM \(unescaped: s).tasks
                WHERE id = \(task.id) AND NOT EXISTS (SELECT 1 FROM done)
            ), follow AS (
                INSERT INTO \(unescaped: s).tasks
                    (run_id, shard_id, parent_task_id, content_hash, stage, round, stages_left, source_line, source_id,
                     instruction, input, reference_output, max_attempts)
                SELECT d.run_id, d.shard_id, d.id, d.content_hash, \(followUp?.stage.rawValue)::\(unescaped: s).task_stage,
                       \(followUp?.round), d.stages_left - 1, d.source_line, d.source_id, \(followUp?.instruction), d.input,
                       d.reference_output, d.max_attempts
                FROM done d
                JOIN \(unescaped: s).runs r ON r.id = d.run_id AND r.cancelled_at IS NULL
                WHERE \(followUp != nil)
                ON CONFLICT (run_id, content_hash, stage, round) DO UPDATE
                SET instruction = EXCLUDED.instruction, parent_task_id = EXCLUDED.parent_task_id, state = 'pending',
                    attempts = 0, run_after = now(), finished_at = NULL, last_error_code = NULL
                WHERE tasks.state = 'cancelled'
            )
            SELECT count(*) FROM done
            """, logger: logger)
        for try await count in rows.decode(Int.self) {
            if count == 1 { return .recorded }
            logger.warning("stale completion refused", metadata: ["task": "\(task.id)", "lease_token": "\(task.leaseToken)", "worker": "\(workerID)"])
            return .stale
        }
        return .stale
    }

    static func json<Value: Encodable>(_ value: Value?) -> String? {
        guard let value else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) }
    }
}
