import PostgresNIO
import TaskStore
import TreeInstructCore

/// A run whose every row is finished, made directly in the database (no endpoint, no worker):
/// something to export, quickly, at any size.
enum FinishedRun {
    /// Submits `rows` records as run `name` (one round, no respond stage), then marks every task
    /// succeeded with a result. `padding` words lengthen each text, to make exports slower.
    @discardableResult
    static func seed(_ database: Database, name: String, rows: Int, padding: Int = 0) async throws -> RunRecord {
        let queue = database.queue
        let config = RunConfig(rewrite: RewriteSettings(nodesToAdd: 3), rounds: 1, respond: false, model: "seeded")
        let run = try await queue.runs.createOrFindRun(name: name, config: config)
        let filler = String(repeating: " detail", count: padding)
        let records = (1...rows).map {
            InstructionRecord(instruction: "Describe item \($0) and why it matters.\(filler)", input: "input \($0)", line: $0)
        }
        for start in stride(from: 0, to: records.count, by: 5000) {
            _ = try await queue.runs.insertShard(Array(records[start..<min(start + 5000, records.count)]), sourceFile: "seeded.jsonl", run: run)
        }
        try await database.client.query(
            """
            WITH done AS (
                UPDATE \(unescaped: "\"\(database.schema)\"").tasks SET state = 'succeeded', finished_at = now()
                WHERE run_id = \(run.id) RETURNING id, run_id, stage, round, instruction
            )
            INSERT INTO \(unescaped: "\"\(database.schema)\"").results (task_id, run_id, stage, round, difficulty, new_instruction, word_count, model)
            SELECT id, run_id, stage, round, 3, instruction || ' Answer in three parts, with one example each.', 12, 'seeded' FROM done
            """, logger: database.logger)
        return run
    }
}
