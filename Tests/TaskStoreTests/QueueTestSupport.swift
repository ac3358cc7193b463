import Foundation
import TaskStore
import TreeInstructCore

/// Shared helpers for the task-queue suites: a run, some source records, a finished rewrite.
enum QueueFixtures {
    static func config(rounds: Int = 1, respond: Bool = false, maxAttempts: Int = 3) -> RunConfig {
        RunConfig(
            rewrite: RewriteSettings(nodesToAdd: 3), rounds: rounds, respond: respond, model: "test-model",
            maxAttempts: maxAttempts)
    }

    static func records(_ count: Int, prefix: String = "Task") -> [InstructionRecord] {
        (1...max(count, 1)).prefix(count).map {
            InstructionRecord(instruction: "\(prefix) number \($0): describe it.", input: "input \($0)", line: $0)
        }
    }

    static func rewrite(of task: ClaimedTask) -> TaskOutput {
        .rewrite(
            AcceptedRewrite(
                newInstruction: task.instruction + " Harder, with three added constraints.",
                originalTree: SemanticNode("describe"),
                expandedTree: SemanticNode("describe", [SemanticNode("a"), SemanticNode("b"), SemanticNode("c")]),
                addedNodes: ["a", "b", "c"], wordCount: 10))
    }

    /// Makes a run and inserts `records` as one shard.
    static func seed(_ queue: QueueSchema, name: String = "run", config: RunConfig = config(), records: [InstructionRecord]) async throws -> RunRecord
    {
        let run = try await queue.runs.createOrFindRun(name: name, config: config)
        _ = try await queue.runs.insertShard(records, sourceFile: "corpus.jsonl", run: run)
        return run
    }

    static func execute(_ queue: QueueSchema, _ sql: String) async throws {
        try await queue.client.query(
            PostgresQueryBuilder.unsafe(sql.replacingOccurrences(of: "$schema", with: "\"\(queue.schema)\"")), logger: queue.logger)
    }

    static func text(_ queue: QueueSchema, _ sql: String) async throws -> String {
        let rows = try await queue.client.query(
            PostgresQueryBuilder.unsafe(sql.replacingOccurrences(of: "$schema", with: "\"\(queue.schema)\"")), logger: queue.logger)
        for try await value in rows.decode(String.self) { return value }
        return ""
    }

    static func scalar(_ queue: QueueSchema, _ sql: String) async throws -> Int {
        let rows = try await queue.client.query(
            PostgresQueryBuilder.unsafe(sql.replacingOccurrences(of: "$schema", with: "\"\(queue.schema)\"")), logger: queue.logger)
        for try await value in rows.decode(Int.self) { return value }
        return 0
    }
}

import PostgresNIO

/// Test-only SQL from literal text: these statements have no user input.
enum PostgresQueryBuilder {
    static func unsafe(_ sql: String) -> PostgresQuery { PostgresQuery(unsafeSQL: sql) }
}
