import Foundation
import PostgresNIO
import PostgresTestSupport
import Testing
import TaskStore
import TreeInstructCore

@Suite("Watching with SQL", .enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
struct ProgressViewTests {
    /// 10 source rows, 2 rounds each: 4 rows done, 1 failed in round 2, 1 running, 4 untouched.
    @Test func viewsReportTheRightNumbers() async throws {
        let started = ContinuousClock.now
        let queue = try await TestQueue.make()
        let config = QueueFixtures.config(rounds: 2, maxAttempts: 1)
        let records = QueueFixtures.records(10)
        let run = try await QueueFixtures.seed(queue, config: config, records: Array(records.prefix(5)))
        try await queue.workers.register(WorkerIdentity(id: "w", host: "h", pid: 1, version: "t", concurrency: 4))
        func finish(_ task: ClaimedTask) async throws {
            let output = QueueFixtures.rewrite(of: task)
            _ = try await queue.leases.complete(
                task, workerID: "w", output: output, followUp: FollowUp.after(task, output: output, config: config),
                difficulty: config.difficulty(afterRound: task.round), report: CallReport(promptTokens: 100, completionTokens: 50))
        }
        // Five rows through round 1.
        for task in try await queue.leases.claimTasks(workerID: "w", limit: 5, lease: .seconds(60)) { try await finish(task) }
        // Four of them through round 2; the fifth's round-2 task is failed.
        let roundTwo = try await queue.leases.claimTasks(workerID: "w", limit: 5, lease: .seconds(60), runIDs: [run.id])
        #expect(roundTwo.filter { $0.round == 2 }.count == 5)
        let sortedTwo = roundTwo.sorted { $0.id < $1.id }
        for task in sortedTwo.prefix(4) { try await finish(task) }
        _ = try await queue.leases.fail(
            sortedTwo[4], workerID: "w",
            failure: AttemptFailure(outcome: "rejected", code: "too_short", detail: "12 words, at least 20 needed", retryable: true),
            retryDelay: .seconds(0), report: CallReport())
        // Five more rows arrive; one starts round 1 and stays running, with an expired lease.
        _ = try await queue.runs.insertShard(Array(records.suffix(5)), sourceFile: "more.jsonl", run: run)
        _ = try await queue.leases.claimTasks(workerID: "w", limit: 1, lease: .seconds(0.01))
        try await Task.sleep(for: .milliseconds(50))

        let progress = try await row(
            queue,
            """
            SELECT source_rows, tasks, pending, running, succeeded, failed, rows_finished, percent_done::float8, tasks_remaining
            FROM $schema.run_progress WHERE run_id = \(run.id)
            """, as: (Int, Int, Int, Int, Int, Int, Int, Double, Int).self)
        #expect(progress.0 == 10)  // source rows
        #expect(progress.1 == 15)  // 10 first-round + 5 second-round tasks
        #expect(progress.2 == 4)  // pending
        #expect(progress.3 == 1)  // running
        #expect(progress.4 == 9)  // succeeded: 5 round 1 + 4 round 2
        #expect(progress.5 == 1)  // failed
        #expect(progress.6 == 5)  // rows finished: 4 done + 1 failed
        #expect(progress.7 == 40)  // done means succeeded: 4 of 10 rows
        #expect(progress.8 == 10)  // 5 untouched rows x 2 stages
        // As if the work had started a minute ago: 10 tasks finished over the minute observed.
        _ = try await row(
            queue,
            """
            WITH shifted AS (UPDATE $schema.tasks SET claimed_at = claimed_at - interval '60 seconds' WHERE claimed_at IS NOT NULL RETURNING 1)
            SELECT count(*) FROM shifted
            """, as: Int.self)
        let tasksPerMinute = try await row(
            queue, "SELECT tasks_per_minute::float8 FROM $schema.run_progress WHERE run_id = \(run.id)", as: Double.self)
        // 10 over the minute plus the time this test has run (seconds, more on a loaded machine);
        // never 10 over the 5-minute window.
        let observed = 60 + (ContinuousClock.now - started).inSeconds + 1
        #expect(tasksPerMinute <= 10.01 && tasksPerMinute >= 10 * 60 / observed, "\(tasksPerMinute) tasks/min")

        let first = try await row(
            queue, "SELECT tasks, succeeded, failed, pending, percent_done::float8 FROM $schema.shard_progress WHERE ordinal = 0",
            as: (Int, Int, Int, Int, Double).self)
        #expect(first == (10, 9, 1, 0, 80))  // 4 of 5 rows succeeded; the failed one is not done
        let second = try await row(
            queue, "SELECT tasks, running, pending, source_file FROM $schema.shard_progress WHERE ordinal = 1",
            as: (Int, Int, Int, String).self)
        #expect(second == (5, 1, 4, "more.jsonl"))
        let failure = try await row(
            queue, "SELECT code, attempts, example FROM $schema.failure_reasons WHERE run_id = \(run.id)",
            as: (String, Int, String).self)
        #expect(failure == ("too_short", 1, "12 words, at least 20 needed"))
        let throughput = try await row(
            queue, "SELECT sum(succeeded)::int8, sum(prompt_tokens)::int8 FROM $schema.throughput_per_minute WHERE run_id = \(run.id)",
            as: (Int, Int).self)
        #expect(throughput == (9, 900))
        #expect(try await row(queue, "SELECT count(*) FROM $schema.active_workers", as: Int.self) == 1)
        #expect(try await row(queue, "SELECT count(*) FROM $schema.stuck_tasks WHERE lease_expired", as: Int.self) == 1)
    }

    func row<each T: PostgresDecodable & Sendable>(_ queue: QueueSchema, _ sql: String, as type: (repeat each T).Type) async throws -> (repeat each T)
    {
        let rows = try await queue.client.query(
            PostgresQuery(unsafeSQL: sql.replacingOccurrences(of: "$schema", with: "\"\(queue.schema)\"")),
            logger: queue.logger)
        for try await value in rows.decode((repeat each T).self) { return value }
        throw NoRow(sql: sql)
    }
}

struct NoRow: Error { let sql: String }
