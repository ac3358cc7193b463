import PostgresTestSupport
import TaskStore
import Testing
import TreeInstructCore

/// Migrations/0021: an accepted call is kept on its result row, and `attempts` (a view of
/// attempt_log and results) still lists every try of a task, in order, across a rerun of
/// everything, and on a store upgraded with history already in it.
@Suite("Attempt history", .enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
struct AttemptHistoryTests {
    static let transient = AttemptFailure(outcome: "error", code: "http_503", detail: "unavailable", retryable: true)
    static let accepted = CallReport(model: "m", promptTokens: 11, completionTokens: 22, latencyMilliseconds: 33, httpStatus: 200)

    /// Each try of the run's tasks as `attempts` lists it, in id order.
    static func tries(_ queue: QueueSchema) async throws -> [String] {
        let rows = try await queue.client.query(
            PostgresQueryBuilder.unsafe(
                """
                SELECT concat_ws(' ', t.source_line, a.outcome, a.attempt, a.worker_id, a.http_status,
                                 coalesce(a.latency_ms::text, '-'), coalesce((a.prompt_tokens + a.completion_tokens)::text, '-'))
                FROM "\(queue.schema)".attempts a JOIN "\(queue.schema)".tasks t ON t.id = a.task_id
                ORDER BY a.id
                """), logger: queue.logger)
        var tries: [String] = []
        for try await line in rows.decode(String.self) { tries.append(line) }
        return tries
    }

    @Test func anAcceptedCallIsOneResultRowAndTheHistoryKeepsEveryTry() async throws {
        let queue = try await TestQueue.make()
        let run = try await QueueFixtures.seed(queue, records: QueueFixtures.records(2))
        let first = try await queue.leases.claimTasks(workerID: "w1", limit: 2, lease: .seconds(60)).sorted { $0.sourceLine < $1.sourceLine }
        #expect(
            try await queue.leases.fail(first[0], workerID: "w1", failure: Self.transient, retryDelay: .zero, report: CallReport(httpStatus: 503))
                == .recorded)
        let again = try #require(try await queue.leases.claimTasks(workerID: "w2", limit: 1, lease: .seconds(60)).first)
        for (task, worker) in [(first[1], "w1"), (again, "w2")] {
            #expect(
                try await queue.leases.complete(
                    task, workerID: worker, output: QueueFixtures.rewrite(of: task), followUp: nil, difficulty: 3, report: Self.accepted)
                    == .recorded)
        }
        // Two accepted calls on their results, one failure in the log: three tries listed.
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.attempt_log") == 1)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.results WHERE attempt_id IS NOT NULL") == 2)
        let listed = ["1 error 1 w1 503 - -", "2 succeeded 1 w1 200 33 33", "1 succeeded 2 w2 200 33 33"]
        #expect(try await Self.tries(queue) == listed)
        #expect(try await queue.rows.chain(runID: run.id, line: 1).first?.history.map(\.outcome) == ["error", "succeeded"])
        #expect(try await queue.progress.runProgress(run: "run").first?.promptTokens == 22)
        // Rerunning everything discards the results, not their tries.
        #expect(try await queue.runs.rerun(runID: run.id, scope: .all) == 2)
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.results") == 0)
        #expect(try await Self.tries(queue) == listed)
        // Deleting the run takes its whole history with it.
        try await QueueFixtures.execute(queue, "DELETE FROM $schema.runs")
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.attempts") == 0)
    }

    @Test func aStoreUpgradedFrom20KeepsItsHistory() async throws {
        let database = try await TestPostgres.database(migrate: false)
        try await Migrator(database: database).migrate(Migration.embedded.filter { $0.version <= 20 })
        let queue = database.queue
        let run = try await QueueFixtures.seed(queue, records: QueueFixtures.records(2))
        let first = try await queue.leases.claimTasks(workerID: "w1", limit: 2, lease: .seconds(60)).sorted { $0.sourceLine < $1.sourceLine }
        _ = try await queue.leases.fail(first[0], workerID: "w1", failure: Self.transient, retryDelay: .zero, report: CallReport(httpStatus: 503))
        _ = try await queue.leases.complete(
            first[1], workerID: "w1", output: QueueFixtures.rewrite(of: first[1]), followUp: nil, difficulty: 3, report: Self.accepted)

        #expect(try await Migrator(database: database).migrate().map(\.version) == [21, 22])
        let old = ["1 error 1 w1 503 - -", "2 succeeded 1 w1 200 33 33"]
        #expect(try await Self.tries(queue) == old)
        let again = try #require(try await queue.leases.claimTasks(workerID: "w2", limit: 1, lease: .seconds(60)).first)
        _ = try await queue.leases.complete(
            again, workerID: "w2", output: QueueFixtures.rewrite(of: again), followUp: nil, difficulty: 3, report: Self.accepted)
        #expect(try await Self.tries(queue) == old + ["1 succeeded 2 w2 200 33 33"])
        // The result written before the upgrade has its try in the log already: a rerun adds none.
        #expect(try await queue.runs.rerun(runID: run.id, scope: .all) == 2)
        #expect(try await Self.tries(queue) == old + ["1 succeeded 2 w2 200 33 33"])
        #expect(try await QueueFixtures.scalar(queue, "SELECT count(*) FROM $schema.failure_reasons WHERE code = 'http_503'") == 1)
        #expect(try await QueueFixtures.scalar(queue, "SELECT sum(succeeded)::int8 FROM $schema.throughput_per_minute") == 2)
    }
}
