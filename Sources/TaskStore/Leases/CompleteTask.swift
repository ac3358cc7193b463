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
    ///
    /// The statement is the function `complete_tasks` (Migrations/0009_worker_functions.sql): the worker
    /// role may run it without holding any write privilege on the tables it changes.
    public func complete(_ completions: [Completion], workerID: String) async throws -> [Int64: LeaseOutcome] {
        guard !completions.isEmpty else { return [:] }
        let rows = try await client.query(
            """
            SELECT * FROM \(unescaped: s).complete_tasks(\(workerID), \(Self.batchJSON(completions))::jsonb)
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
