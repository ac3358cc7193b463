import Foundation
import PostgresNIO
import TreeInstructCore

extension TaskLeases {
    /// Stores one task's output; see `complete(_:workerID:)`.
    public func complete(
        _ task: ClaimedTask, workerID: String, output: TaskOutput, followUp: FollowUp?,
        difficulty: Int, report: CallReport
    ) async throws -> LeaseOutcome {
        let outcomes = try await complete(
            [Completion(task: task, output: output, followUp: followUp, difficulty: difficulty, report: report)],
            workerID: workerID)
        return outcomes[task.id] ?? .stale
    }

    /// Stores each output as its task's one result, marks the task succeeded, records the
    /// attempt and creates the follow-up task, all in one statement (one commit for the whole
    /// batch), and for each task only if its lease is still held.
    ///
    /// A stale completion (lease reaped or re-claimed) writes no result, only a `stale` attempt
    /// so its tokens are still accounted. A follow-up is not created for a cancelled run; one
    /// that exists from an earlier pass (superseded by a full rerun, so cancelled) is revived
    /// with the new instruction. Rows are locked in id order, so batches never deadlock with
    /// each other or with heartbeats.
    public func complete(_ completions: [Completion], workerID: String) async throws -> [Int64: LeaseOutcome] {
        guard !completions.isEmpty else { return [:] }
        let rows = try await client.query(
            """
            WITH input AS (
                SELECT * FROM jsonb_to_recordset(\(Self.batchJSON(completions))::jsonb)
                    AS i(id int8, token int8, attempt int4, claimed_epoch float8, difficulty int4, new_instruction text,
                         response text, original_tree jsonb, expanded_tree jsonb, added_nodes jsonb, word_count int4, model text,
                         prompt_tokens int4, completion_tokens int4, latency_ms int4, http_status int4,
                         follow_stage text, follow_round int4, follow_instruction text)
            ), held AS (
                SELECT t.id FROM \(unescaped: s).tasks t JOIN input i ON i.id = t.id
                WHERE t.state = 'running' AND t.lease_token = i.token
                ORDER BY t.id
                FOR UPDATE OF t
            ), done AS (
                UPDATE \(unescaped: s).tasks t
                SET state = 'succeeded', finished_at = now(), lease_owner = NULL, lease_expires_at = NULL, last_error_code = NULL
                FROM held
                WHERE t.id = held.id
                RETURNING t.id, t.run_id, t.shard_id, t.content_hash, t.stage, t.round, t.stages_left, t.source_line, t.source_id,
                          t.input, t.reference_output, t.max_attempts, t.attempts, t.claimed_at
            ), result AS (
                INSERT INTO \(unescaped: s).results
                    (task_id, run_id, stage, round, difficulty, new_instruction, response, original_tree, expanded_tree,
                     added_nodes, word_count, model, prompt_tokens, completion_tokens)
                SELECT d.id, d.run_id, d.stage, d.round, i.difficulty, i.new_instruction, i.response, i.original_tree,
                       i.expanded_tree, i.added_nodes, i.word_count, i.model, i.prompt_tokens, i.completion_tokens
                FROM done d JOIN input i ON i.id = d.id
            ), attempt AS (
                INSERT INTO \(unescaped: s).attempts
                    (task_id, run_id, attempt, lease_token, worker_id, started_at, outcome, http_status,
                     prompt_tokens, completion_tokens, latency_ms, model)
                SELECT d.id, d.run_id, d.attempts, i.token, \(workerID), d.claimed_at, 'succeeded', i.http_status,
                       i.prompt_tokens, i.completion_tokens, i.latency_ms, i.model
                FROM done d JOIN input i ON i.id = d.id
            ), stale AS (
                INSERT INTO \(unescaped: s).attempts
                    (task_id, run_id, attempt, lease_token, worker_id, started_at, outcome, code, detail, http_status,
                     prompt_tokens, completion_tokens, latency_ms, model)
                SELECT t.id, t.run_id, i.attempt, i.token, \(workerID), to_timestamp(i.claimed_epoch), 'stale', 'lease_lost',
                       'completion refused: the lease was no longer held', i.http_status,
                       i.prompt_tokens, i.completion_tokens, i.latency_ms, i.model
                FROM input i JOIN \(unescaped: s).tasks t ON t.id = i.id
                WHERE NOT EXISTS (SELECT 1 FROM done d WHERE d.id = i.id)
            ), follow AS (
                INSERT INTO \(unescaped: s).tasks
                    (run_id, shard_id, parent_task_id, content_hash, stage, round, stages_left, source_line, source_id,
                     instruction, input, reference_output, max_attempts)
                SELECT d.run_id, d.shard_id, d.id, d.content_hash, i.follow_stage::\(unescaped: s).task_stage, i.follow_round,
                       d.stages_left - 1, d.source_line, d.source_id, i.follow_instruction, d.input, d.reference_output, d.max_attempts
                FROM done d
                JOIN input i ON i.id = d.id
                JOIN \(unescaped: s).runs r ON r.id = d.run_id AND r.cancelled_at IS NULL
                WHERE i.follow_stage IS NOT NULL
                ON CONFLICT (run_id, content_hash, stage, round) DO UPDATE
                SET instruction = EXCLUDED.instruction, parent_task_id = EXCLUDED.parent_task_id, state = 'pending',
                    attempts = 0, run_after = now(), finished_at = NULL, last_error_code = NULL
                WHERE tasks.state = 'cancelled'
            )
            SELECT id FROM done
            """, logger: logger)
        var outcomes = Dictionary(uniqueKeysWithValues: completions.map { ($0.task.id, LeaseOutcome.stale) })
        for try await id in rows.decode(Int64.self) { outcomes[id] = .recorded }
        for completion in completions where outcomes[completion.task.id] == .stale {
            logger.warning(
                "stale completion refused",
                metadata: [
                    "task": "\(completion.task.id)", "lease_token": "\(completion.task.leaseToken)",
                    "worker": "\(workerID)",
                ])
        }
        return outcomes
    }

    /// The batch as one JSON array parameter, keys named as the statement's columns (a field
    /// that does not apply is left out, so it reads as NULL).
    static func batchJSON(_ completions: [Completion]) -> String {
        JSONValue.array(
            completions.map { completion in
                var row: [String: JSONValue] = [
                    "id": .number(Double(completion.task.id)), "token": .number(Double(completion.task.leaseToken)),
                    "attempt": .number(Double(completion.task.attempt)),
                    "claimed_epoch": .number(completion.task.claimedAt.timeIntervalSince1970),
                    "difficulty": .number(Double(completion.difficulty)),
                ]
                switch completion.output {
                case .rewrite(let rewrite):
                    row["new_instruction"] = .string(rewrite.newInstruction)
                    row["word_count"] = .number(Double(rewrite.wordCount))
                    row["original_tree"] = rewrite.originalTree?.json
                    row["expanded_tree"] = rewrite.expandedTree?.json
                    row["added_nodes"] = .array(rewrite.addedNodes.map(JSONValue.string))
                case .response(let text):
                    row["response"] = .string(text)
                }
                let report = completion.report
                row["model"] = report.model.map(JSONValue.string)
                row["prompt_tokens"] = report.promptTokens.map { .number(Double($0)) }
                row["completion_tokens"] = report.completionTokens.map { .number(Double($0)) }
                row["latency_ms"] = report.latencyMilliseconds.map { .number(Double($0)) }
                row["http_status"] = report.httpStatus.map { .number(Double($0)) }
                if let followUp = completion.followUp {
                    row["follow_stage"] = .string(followUp.stage.rawValue)
                    row["follow_round"] = .number(Double(followUp.round))
                    row["follow_instruction"] = .string(followUp.instruction)
                }
                return .object(row)
            }
        ).compactText
    }
}
