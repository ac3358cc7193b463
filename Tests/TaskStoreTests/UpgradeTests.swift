import Foundation
import PostgresNIO
import PostgresTestSupport
import TaskStore
import Testing
import TreeInstructCore

/// Issue 14's migrations (0008 export index and backlog, 0009 worker functions) and issue 18's
/// (0010 endpoint dialects, 0011 export of rows that stopped early, 0012 follow-ups of a cancelled run) on a store that is in use: finished rows and a row
/// whose answer failed export, a lease taken before the upgrade (a sequence token) is still
/// honoured, pending work is claimed and a lapsed lease is reaped, through the new functions.
@Suite("Upgrading a populated store", .enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
struct UpgradeTests {
    @Test func leasesAndResultsSurviveTheUpgrade() async throws {
        let database = try await TestPostgres.database(migrate: false)
        let before = Migration.embedded.filter { $0.version <= 7 }
        try await Migrator(database: database).migrate(before)
        let queue = database.queue
        let config = RunConfig(rewrite: RewriteSettings(nodesToAdd: 3), rounds: 1, respond: true, model: "m", maxAttempts: 3)
        let run = try await queue.runs.createOrFindRun(name: "live", config: config)
        let records = (1...6).map { InstructionRecord(instruction: "Describe item \($0) with care.", input: "", line: $0) }
        _ = try await queue.runs.insertShard(records, sourceFile: "corpus.jsonl", run: run)
        // As the 0007 binaries left it: line 1 answered (both stages), line 2 leased with a
        // sequence token, line 3 leased by a worker that died, the rest pending.
        try await QueueFixtures.execute(
            queue,
            """
            WITH answered AS (
                UPDATE $schema.tasks SET state = 'succeeded', finished_at = now(), attempts = 1
                WHERE source_line = 1 RETURNING id, run_id, shard_id, content_hash, instruction
            ), respond AS (
                INSERT INTO $schema.tasks (run_id, shard_id, parent_task_id, content_hash, stage, round, stages_left, source_line,
                                           instruction, state, attempts, max_attempts, finished_at)
                SELECT run_id, shard_id, id, content_hash, 'respond', 1, 1, 1, instruction || ' Harder.', 'succeeded', 1, 3, now()
                FROM answered RETURNING id, run_id
            ), results AS (
                INSERT INTO $schema.results (task_id, run_id, stage, round, difficulty, new_instruction)
                SELECT id, run_id, 'rewrite', 1, 3, 'Describe item 1 with care. Harder.' FROM answered
            )
            INSERT INTO $schema.results (task_id, run_id, stage, round, difficulty, response)
            SELECT id, run_id, 'respond', 1, 3, 'An answer.' FROM respond
            """)
        // Line 6 rewritten, its answer failed for good: exported at its rewrite after the upgrade.
        try await QueueFixtures.execute(
            queue,
            """
            WITH rewritten AS (
                UPDATE $schema.tasks SET state = 'succeeded', finished_at = now(), attempts = 1
                WHERE source_line = 6 RETURNING id, run_id, shard_id, content_hash, instruction
            ), respond AS (
                INSERT INTO $schema.tasks (run_id, shard_id, parent_task_id, content_hash, stage, round, stages_left, source_line,
                                           instruction, state, attempts, max_attempts, finished_at)
                SELECT run_id, shard_id, id, content_hash, 'respond', 1, 1, 6, instruction || ' Harder.', 'failed', 3, 3, now()
                FROM rewritten
            )
            INSERT INTO $schema.results (task_id, run_id, stage, round, difficulty, new_instruction)
            SELECT id, run_id, 'rewrite', 1, 3, 'Describe item 6 with care. Harder.' FROM rewritten
            """)
        try await QueueFixtures.execute(
            queue,
            """
            UPDATE $schema.tasks SET state = 'running', lease_owner = 'old-worker', lease_token = nextval('$schema.lease_tokens'),
                   claimed_at = now(), attempts = 1,
                   lease_expires_at = now() + CASE WHEN source_line = 2 THEN interval '1 hour' ELSE interval '-1 second' END
            WHERE source_line IN (2, 3) AND stage = 'rewrite'
            """)

        #expect(try await Migrator(database: database).migrate().map(\.version) == [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22])
        // 0022: task pages written from now on keep a fifth free for the rows' next versions.
        #expect(
            try await QueueFixtures.scalar(
                queue, "SELECT count(*) FROM pg_class WHERE oid = '$schema.tasks'::regclass AND 'fillfactor=80' = ANY(reloptions)") == 1)
        // 0015's row index is built over the rows already there: the viewer lists them in file order.
        let listed = try await queue.rows.page(runID: run.id, filter: RowFilter(), after: .start, size: 100)
        #expect(listed.rows.map(\.line) == listed.rows.map(\.line).sorted() && listed.rows.count >= 5)
        #expect(try await queue.rows.chain(runID: run.id, line: 1).map(\.newInstruction).first == "Describe item 1 with care. Harder.")

        let exported = try await queue.results.exportPage(runID: run.id, after: .start, difficulty: nil, lineage: true, limit: 10)
        #expect(exported.map(\.output) == ["An answer.", nil])
        #expect(exported.map(\.instruction) == ["Describe item 1 with care. Harder.", "Describe item 6 with care. Harder."])
        #expect(exported.map(\.difficulty) == [3, 3])
        // The lease taken before the upgrade completes with its old token.
        let leased = try await Self.leasedTask(queue, line: 2)
        let output = TaskOutput.rewrite(
            AcceptedRewrite(
                newInstruction: leased.instruction + " Compare two cases.", originalTree: SemanticNode("describe"),
                expandedTree: SemanticNode("describe", [SemanticNode("compare"), SemanticNode("cases")]), addedNodes: ["compare", "cases"],
                wordCount: 8))
        #expect(
            try await queue.leases.complete(
                leased, workerID: "old-worker", output: output, followUp: FollowUp.after(leased, output: output, config: config),
                difficulty: 3, report: CallReport()) == .recorded)
        #expect(try await queue.leases.reapExpiredLeases() == 1)  // line 3
        let claimed = try await queue.leases.claimTasks(workerID: "new-worker", limit: 10, lease: .seconds(60))
        #expect(claimed.map(\.sourceLine).sorted() == [2, 3, 4, 5])  // line 2's respond task, 3 again, 4 and 5
        #expect(try await QueueFixtures.scalar(queue, "SELECT coalesce(sum(running), 0)::int8 FROM $schema.backlog") == 4)
    }

    /// The task on `line` as its holder knows it (its token read by the owner).
    static func leasedTask(_ queue: QueueSchema, line: Int) async throws -> ClaimedTask {
        let rows = try await queue.client.query(
            """
            SELECT id, run_id, shard_id, round, stages_left, instruction, input, attempts, max_attempts, lease_token, claimed_at
            FROM \(unescaped: "\"\(queue.schema)\"").tasks WHERE source_line = \(line) AND stage = 'rewrite'
            """, logger: queue.logger)
        for try await row in rows {
            let c = row.makeRandomAccess()
            return ClaimedTask(
                id: try c["id"].decode(Int64.self), runID: try c["run_id"].decode(Int64.self), shardID: try c["shard_id"].decode(Int64.self),
                stage: .rewrite, round: try c["round"].decode(Int.self), stagesLeft: try c["stages_left"].decode(Int.self),
                instruction: try c["instruction"].decode(String.self), input: try c["input"].decode(String.self), sourceLine: line,
                attempt: try c["attempts"].decode(Int.self), maxAttempts: try c["max_attempts"].decode(Int.self),
                leaseToken: try c["lease_token"].decode(Int64.self), claimedAt: try c["claimed_at"].decode(Date.self))
        }
        throw CancellationError()
    }
}
