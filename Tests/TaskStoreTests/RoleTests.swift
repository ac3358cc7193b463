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
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Ops/sql/roles.sql").standardized

    /// Applies the script to the test schema and sets a test-only password on each role.
    static func applyRoles(to database: Database) async throws {
        let text = try String(contentsOf: script, encoding: .utf8)
        try await database.client.withConnection { connection in
            try await connection.query("SELECT set_config('treeinstruct.schema', \(database.schema), false)", logger: database.logger)
            for statement in SQLScript.statements(text) {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: database.logger)
            }
            for role in ["treeinstruct_worker", "treeinstruct_coordinator", "treeinstruct_monitor"] {
                try await connection.query(PostgresQuery(unsafeSQL: "ALTER ROLE \(role) PASSWORD 'role-test-only'"), logger: database.logger)
            }
        }
    }

    /// Runs `body` connected as `role` to the same schema.
    static func connected<Result: Sendable>(
        as role: String, like database: Database,
        _ body: @Sendable (Database) async throws -> Result
    ) async throws -> Result {
        var settings = database.settings
        settings.user = role
        settings.password = "role-test-only"
        return try await Database(settings: settings, schema: database.schema, maxConnections: 2, logger: database.logger)
            .withRunning(body)
    }

    /// Expects `sql` (with `$schema` for the schema) to be refused for want of a privilege.
    static func expectDenied(_ database: Database, _ sql: String, sourceLocation: SourceLocation = #_sourceLocation) async {
        let text = sql.replacingOccurrences(of: "$schema", with: "\"\(database.schema)\"")
        do {
            try await database.client.query(PostgresQuery(unsafeSQL: text), logger: database.logger)
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
            #expect(try await queue.leases.heartbeat(workerID: identity.id, lease: .seconds(60)).count == 4)
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
            for sql in [
                "DELETE FROM $schema.tasks", "DELETE FROM $schema.results", "DELETE FROM $schema.attempts",
                "SELECT * FROM $schema.results", "SELECT * FROM $schema.ingest_errors", "SELECT * FROM $schema.shards",
                "UPDATE $schema.runs SET name = 'taken'", "INSERT INTO $schema.runs (name, config) VALUES ('x', '{}')",
                "UPDATE $schema.tasks SET run_id = run_id", "UPDATE $schema.results SET response = 'x'",
                "UPDATE $schema.attempts SET outcome = 'succeeded'", "TRUNCATE $schema.tasks",
                "CREATE TABLE $schema.extra (i int)", "DROP TABLE $schema.workers",
                "INSERT INTO $schema.schema_migrations (version, name, checksum) VALUES (99, 'x', 'x')",
                "SELECT * FROM $schema.run_progress",
            ] {
                await Self.expectDenied(worker, sql)
            }
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
                "UPDATE $schema.tasks SET state = 'cancelled'",
            ] {
                await Self.expectDenied(monitor, sql)
            }
        }
    }
}
