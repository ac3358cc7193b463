import Foundation
import Logging
import PostgresNIO
import PostgresTestSupport
import TaskStore
import Testing
import TreeInstructCore

/// Ops/sql/roles.sql, applied to a real server: each role can do its job and nothing else.
@Suite("Least-privilege roles", .serialized)
struct RoleTests {
    static func applyRoles(to database: Database) async throws { try await TestRoles.apply(to: database) }

    /// Runs `body` connected as `role` to the same schema.
    static func connected<Result: Sendable>(
        as role: String, like database: Database,
        _ body: @Sendable (Database) async throws -> Result
    ) async throws -> Result {
        return try await Database(
            settings: TestRoles.settings(role, like: database), schema: database.schema, maxConnections: 2, logger: database.logger
        )
        .withRunning(body)
    }

    /// Expects `sql` (with `$schema` for the schema) to be refused for want of a privilege.
    static func expectDenied(_ database: Database, _ sql: String, sourceLocation: SourceLocation = #_sourceLocation) async {
        let text = sql.replacingOccurrences(of: "$schema", with: "\"\(database.schema)\"")
        do {
            // Read to the end: an error raised while rows are made (nextval's) comes with them.
            for try await _ in try await database.client.query(PostgresQuery(unsafeSQL: text), logger: database.logger) {}
            Issue.record("allowed, should be refused: \(text)", sourceLocation: sourceLocation)
        } catch let error as PSQLError {
            #expect(error.serverInfo?[.sqlState] == "42501", "\(text): \(String(reflecting: error))", sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(text): \(error)", sourceLocation: sourceLocation)
        }
    }

    /// Database errors in full (postgres-nio hides their text unless asked).
    struct Explained: Error, CustomStringConvertible { let description: String }
    static func explained<Result>(_ body: () async throws -> Result) async throws -> Result {
        do { return try await body() } catch let error as PSQLError { throw Explained(description: String(reflecting: error)) }
    }

    /// What the worker role may not do directly (issue 14, item 5): change any task (a finished
    /// run's, its state, its instruction), insert tasks, results or attempts, read lease tokens or
    /// texts, create anything (temporary tables and functions included), run DDL.
    static let deniedToWorkers = [
        "UPDATE $schema.tasks SET state = 'pending'", "UPDATE $schema.tasks SET instruction = 'rewritten'",
        "UPDATE $schema.tasks SET lease_expires_at = now() + interval '1 day'", "UPDATE $schema.tasks SET run_id = run_id",
        "INSERT INTO $schema.tasks (run_id, shard_id, content_hash, stage, round, stages_left, source_line, instruction, max_attempts) "
            + "SELECT run_id, 1, '\\x00', 'rewrite', 9, 1, 1, 'planted', 1 FROM $schema.tasks LIMIT 1",
        "INSERT INTO $schema.results (task_id, run_id, stage, round, difficulty) SELECT id, run_id, 'rewrite', 1, 0 FROM $schema.tasks LIMIT 1",
        "INSERT INTO $schema.attempts (task_id, run_id, attempt, lease_token, worker_id, started_at, outcome) "
            + "SELECT id, run_id, 1, 1, 'w', now(), 'succeeded' FROM $schema.tasks LIMIT 1",
        "DELETE FROM $schema.tasks", "DELETE FROM $schema.results", "DELETE FROM $schema.attempts", "TRUNCATE $schema.tasks",
        "DELETE FROM $schema.attempt_log", "SELECT * FROM $schema.attempt_log",
        "SELECT lease_token FROM $schema.tasks", "SELECT instruction FROM $schema.tasks", "SELECT * FROM $schema.attempts",
        "SELECT * FROM $schema.results", "SELECT * FROM $schema.ingest_errors", "SELECT * FROM $schema.shards",
        "SELECT nextval('$schema.lease_tokens')",
        "UPDATE $schema.runs SET name = 'taken'", "INSERT INTO $schema.runs (name, config) VALUES ('x', '{}')",
        "UPDATE $schema.results SET response = 'x'", "UPDATE $schema.attempts SET outcome = 'succeeded'",
        "CREATE TABLE $schema.extra (i int)", "DROP TABLE $schema.workers", "CREATE TEMP TABLE scratch (i int)",
        "CREATE FUNCTION pg_temp.planted() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "CREATE TABLE public.planted (i int)",
        "INSERT INTO $schema.schema_migrations (version, name, checksum) VALUES (99, 'x', 'x')",
        "SELECT * FROM $schema.run_progress",
    ]

    /// Through its functions the worker still reaches only what it holds: a lease named with the
    /// wrong token (another worker's task, a pending or a finished one) is neither completed,
    /// failed, released nor renewed, gets no result and no follow-up, and keeps its instruction.
    static func functionsRefuseWhatTheWorkerDoesNotHold(_ worker: Database, owner: Database, runID: Int64) async throws {
        let queue = worker.queue
        let before = try await snapshot(owner)
        // Every task of the run, held or not, with a token that is not its lease's.
        let tasks = try await owner.queue.leases.claimTasks(workerID: "other-worker", limit: 10, lease: .seconds(60))
        #expect(!tasks.isEmpty)
        let held = try await snapshot(owner)
        let forged = tasks.map { task -> ClaimedTask in
            var forged = task
            forged.leaseToken = task.leaseToken ^ 0x5A5A
            forged.instruction = "planted instruction"
            return forged
        }
        let output = TaskOutput.rewrite(
            AcceptedRewrite(
                newInstruction: "planted result", originalTree: SemanticNode("x"), expandedTree: SemanticNode("x", [SemanticNode("y")]),
                addedNodes: ["y"], wordCount: 2))
        let outcomes = try await queue.leases.complete(
            forged.map {
                Completion(
                    task: $0, output: output, followUp: FollowUp(stage: .rewrite, round: $0.round + 1, instruction: "planted follow-up"),
                    difficulty: 3, report: CallReport())
            }, workerID: "role-worker")
        #expect(outcomes.values.allSatisfy { $0 == .stale })
        let failure = AttemptFailure(outcome: "error", code: "http_500", detail: "x", retryable: false)
        for task in forged {
            #expect(try await queue.leases.fail(task, workerID: "role-worker", failure: failure, retryDelay: .zero, report: CallReport()) == .stale)
        }
        #expect(try await queue.leases.release(forged, workerID: "role-worker") == 0)
        #expect(try await queue.leases.heartbeat(workerID: "role-worker", holding: forged, lease: .seconds(3600)).isEmpty)
        #expect(try await queue.leases.heartbeat(workerID: "other-worker", holding: forged, lease: .seconds(3600)).isEmpty)
        #expect(try await snapshot(owner) == held, "a forged lease changed a task")
        #expect(held != before)  // (the claim itself did change them: the snapshot can see a change)
        _ = try await owner.queue.leases.release(tasks, workerID: "other-worker")
    }

    /// Every task's state, lease, instruction and result, and the task count, as text.
    static func snapshot(_ owner: Database) async throws -> String {
        let rows = try await owner.client.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT string_agg(concat_ws('|', t.id, t.state, t.lease_token, t.lease_expires_at, t.instruction, r.new_instruction), E'\\n' ORDER BY t.id)
                    FROM "\(owner.schema)".tasks t LEFT JOIN "\(owner.schema)".results r ON r.task_id = t.id
                    """), logger: owner.logger)
        for try await text in rows.decode(String?.self) { return text ?? "" }
        return ""
    }

    @Test(.enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
    func eachRoleDoesItsJobAndNothingElse() async throws {
        try await Self.explained { try await roleScenario() }
    }

    func roleScenario() async throws {
        let owner = try await TestPostgres.database()
        try await Self.applyRoles(to: owner)
        let config = RunConfig(rewrite: RewriteSettings(nodesToAdd: 3), rounds: 2, respond: true, model: "m", maxAttempts: 3)

        // The coordinator submits, watches, cancels and reruns.
        let runID = try await Self.connected(as: "treeinstruct_coordinator", like: owner) { coordinator in
            try await Migrator(database: coordinator).migrate()  // up to date: must change nothing
            let queue = coordinator.queue
            let run = try await queue.runs.createOrFindRun(name: "roles", config: config)
            let records = (1...4).map { InstructionRecord(instruction: "Describe item number \($0) in detail.", input: "", line: $0) }
            _ = try await queue.runs.insertShard(records, sourceFile: "corpus.jsonl", run: run)
            try await queue.runs.recordIngestErrors([CorpusError(file: "corpus.jsonl", line: 5, reason: .brokenJSON("bad"))], runID: run.id)
            #expect(try await queue.progress.runProgress(run: "roles").first?.pending == 4)
            _ = try await queue.runs.cancelRun(id: run.id)
            #expect(try await queue.runs.rerun(runID: run.id, scope: .all) == 4)
            for sql in [
                "DELETE FROM $schema.tasks", "DELETE FROM $schema.runs", "TRUNCATE $schema.results", "CREATE TABLE $schema.extra (i int)",
                "DROP VIEW $schema.backlog", "DELETE FROM $schema.schema_migrations",
            ] {
                await Self.expectDenied(coordinator, sql)
            }
            return run.id
        }

        // The worker claims, heartbeats, completes (creating the next round), fails, releases, reaps.
        try await Self.connected(as: "treeinstruct_worker", like: owner) { worker in
            let queue = worker.queue
            let identity = WorkerIdentity(id: "role-worker", host: "test", pid: 1, version: "test", concurrency: 4)
            try await queue.workers.register(identity)
            try await queue.budgets.declare(key: "roles", requestsPerMinute: 600, tokensPerMinute: nil, burstSeconds: 1)
            _ = try await queue.budgets.lease(key: "roles", requests: 1, tokens: 0)
            try await queue.budgets.adjust(key: "roles", pause: .milliseconds(100), cut: 0.9)
            let runConfig = try await queue.runs.runConfig(id: runID)
            let tasks = try await queue.leases.claimTasks(workerID: identity.id, limit: 4, lease: .seconds(60))
            #expect(tasks.count == 4)
            #expect(try await queue.leases.heartbeat(workerID: identity.id, holding: tasks, lease: .seconds(60)).count == 4)
            let output = TaskOutput.rewrite(
                AcceptedRewrite(
                    newInstruction: tasks[0].instruction + " Compare three aspects.", originalTree: SemanticNode("describe"),
                    expandedTree: SemanticNode("describe", [SemanticNode("compare"), SemanticNode("three"), SemanticNode("aspects")]),
                    addedNodes: ["compare", "three", "aspects"], wordCount: 9))
            let completed = try await queue.leases.complete(
                tasks[0], workerID: identity.id, output: output,
                followUp: FollowUp.after(tasks[0], output: output, config: runConfig),
                difficulty: 3, report: CallReport(model: "m", promptTokens: 10, completionTokens: 5))
            #expect(completed == .recorded)
            let failure = AttemptFailure(outcome: "error", code: "http_500", detail: "server error", retryable: true)
            #expect(
                try await queue.leases.fail(tasks[1], workerID: identity.id, failure: failure, retryDelay: .seconds(0), report: CallReport())
                    == .recorded)
            #expect(try await queue.leases.release([tasks[2], tasks[3]], workerID: identity.id) == 2)
            _ = try await queue.leases.reapExpiredLeases()
            #expect(try await queue.progress.openTaskCount() == 4)  // 3 back to pending + the new round-2 task
            // The endpoint's shared health: faults, a probe, an answer, a quota stop and its clearing.
            _ = try await queue.health.recordFault(key: "roles", detail: "refused", threshold: 1, probeEvery: .zero)
            #expect(try await queue.health.takeProbe(key: "roles", interval: .seconds(10)))
            #expect(try await queue.health.recordAnswer(key: "roles")?.state == .up)
            _ = try await queue.health.recordQuotaExhausted(key: "roles", detail: "insufficient_quota", probeEvery: .seconds(60))
            #expect(try await queue.health.read(key: "roles")?.state == .quota)
            #expect(try await queue.health.clearQuotaStop(key: "roles") != nil)
            try await queue.workers.markStopped(workerID: identity.id)
            for sql in Self.deniedToWorkers { await Self.expectDenied(worker, sql) }
            try await Self.functionsRefuseWhatTheWorkerDoesNotHold(worker, owner: owner, runID: runID)
        }

        // The monitor reads the views (and attempts and workers, for `status`), no instruction or output text.
        try await Self.connected(as: "treeinstruct_monitor", like: owner) { monitor in
            let rows = try await monitor.client.query(
                PostgresQuery(unsafeSQL: "SELECT coalesce(sum(due + retrying + running), 0)::int FROM \"\(monitor.schema)\".backlog"),
                logger: monitor.logger)
            for try await open in rows.decode(Int.self) { #expect(open == 4) }
            #expect(try await monitor.queue.progress.runProgress(run: "roles").first?.succeeded == 1)
            let endpoints = try await monitor.client.query(
                PostgresQuery(unsafeSQL: "SELECT count(*) FROM \"\(monitor.schema)\".endpoint_status WHERE state = 'up'"),
                logger: monitor.logger)
            for try await up in endpoints.decode(Int.self) { #expect(up == 1) }
            for sql in [
                "SELECT * FROM $schema.tasks", "SELECT * FROM $schema.results", "SELECT * FROM $schema.runs",
                "SELECT answer FROM $schema.attempts", "SELECT * FROM $schema.attempts", "SELECT * FROM $schema.attempt_log",
                "UPDATE $schema.tasks SET state = 'cancelled'", "CREATE TEMP TABLE scratch (i int)",
                "CREATE FUNCTION pg_temp.planted() RETURNS int LANGUAGE sql AS 'SELECT 1'", "CREATE TABLE public.planted (i int)",
                "SELECT $schema.claim_tasks('monitor', 1, 60, '{}')", "SELECT $schema.reap_expired_leases(10)",
            ] {
                await Self.expectDenied(monitor, sql)
            }
        }
    }
}
