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
    /// each other; heartbeats name their ids in the same order (their lock order still follows
    /// their plan: a deadlock there would fail one statement, which is retried).
    ///
    /// The statement is the function `complete_tasks` (Migrations/0009_worker_functions.sql; its
    /// current form is 0020's): the worker role may run it without holding any write privilege
    /// on the tables it changes.
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
    /// that does not apply is left out, so it reads as NULL). Written field by field in sorted
    /// order, the text `JSONValue` would give, without building a dictionary per row.
    static func batchJSON(_ completions: [Completion]) -> String {
        var text = "["
        for (index, completion) in completions.enumerated() {
            if index > 0 { text += "," }
            text += row(completion)
        }
        return text + "]"
    }

    private static func row(_ completion: Completion) -> String {
        let (task, report) = (completion.task, completion.report)
        var rewrite: AcceptedRewrite?
        var response: String?
        switch completion.output {
        case .rewrite(let output): rewrite = output
        case .response(let text): response = text
        }
        var row = JSONObjectWriter(capacity: 512 + (rewrite?.newInstruction.utf8.count ?? response?.utf8.count ?? 0))
        if let rewrite { row.field("added_nodes", .array(rewrite.addedNodes.map(JSONValue.string))) }
        row.field("attempt", integer: task.attempt)
        row.field("claimed_epoch", .number(task.claimedAt.timeIntervalSince1970))
        row.field("completion_tokens", integer: report.completionTokens)
        row.field("difficulty", integer: completion.difficulty)
        if let tree = rewrite?.expandedTree { row.field("expanded_tree", tree.json) }
        if let followUp = completion.followUp {
            row.field("follow_instruction", .string(followUp.instruction))
            row.field("follow_round", integer: followUp.round)
            row.field("follow_stage", .string(followUp.stage.rawValue))
        }
        row.field("http_status", integer: report.httpStatus)
        row.field("id", integer: task.id)
        row.field("latency_ms", integer: report.latencyMilliseconds)
        if let model = report.model { row.field("model", .string(model)) }
        if let rewrite { row.field("new_instruction", .string(rewrite.newInstruction)) }
        if let tree = rewrite?.originalTree { row.field("original_tree", tree.json) }
        row.field("prompt_tokens", integer: report.promptTokens)
        if let response { row.field("response", .string(response)) }
        row.field("token", integer: task.leaseToken)
        if let rewrite { row.field("word_count", integer: rewrite.wordCount) }
        return row.finished
    }
}
