import Foundation
import PostgresTestSupport
import ServiceLifecycle
import Logging
import TaskStore
import Testing
import TreeInstructCore
import Wiring
@testable import Workers

/// The worker core in this process: a scripted chat endpoint, the real PostgreSQL store. What
/// the subprocess suites show in seconds, shown here in milliseconds, one behaviour at a time.
@Suite("Worker core, in process", .enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
struct WorkerCoreTests {
    /// Claims come in batches, calls fill the slots without exceeding them, completions are
    /// written many per statement, and every task ends with exactly one result.
    @Test func batchesClaimsFillsSlotsAndBatchesCompletions() async throws {
        let fixture = try await WorkerFixture.make(rows: 200)
        // The first calls wait until the slots are full (or 30 s pass: then the count below
        // fails), so a loaded machine's slow claims cannot end calls before the slots fill.
        let chat = ScriptedChat(latency: .milliseconds(20), holdUntilInFlight: 8)
        try await fixture.worker(chat, concurrency: 8).run()
        let counts = fixture.store.counts.withLock { $0 }
        #expect(try await fixture.count("SELECT count(*) FROM $schema.tasks WHERE state = 'succeeded'") == 200)
        #expect(try await fixture.count("SELECT count(*) FROM $schema.results") == 200)
        #expect(chat.snapshot.calls == 200)
        #expect(chat.snapshot.mostInFlight == 8, "slots: \(chat.snapshot.mostInFlight) calls at most at once")
        // 8 slots claim 4 at a time at most (half the slots), and never more than are free.
        #expect(
            counts.claimed == 200 && counts.claims < 200 && counts.largestClaim == 4,
            "\(counts.claims) claims for 200 tasks, largest \(counts.largestClaim)")
        #expect(counts.completed == 200 && counts.completeCalls < 150, "\(counts.completeCalls) statements for 200 completions")
        #expect(counts.configReads == 1, "the run's configuration read \(counts.configReads) times, though 8 calls start at once")
    }

    /// Workers that leave once the run is done leave when it is, not a poll interval later: one
    /// whose claim comes up empty waits for its own calls, then looks again at once, and while
    /// another worker still holds tasks it looks again soon. With `idle` at 120 s, a worker that
    /// slept it out (as before) would keep the pair past the limit below. (The pair takes 1-2 s
    /// here; a fresh-clone CI run, every suite at once on two cores, once took 17 s.)
    @Test func workersLeaveWhenTheRunIsDoneNotAnIdlePauseLater() async throws {
        let fixture = try await WorkerFixture.make(rows: 60)
        let chat = ScriptedChat(latency: .milliseconds(20))
        let started = ContinuousClock.now
        try await withThrowingDiscardingTaskGroup { workers in
            for _ in 0..<2 { workers.addTask { try await fixture.worker(chat, concurrency: 4, idle: .seconds(120)).run() } }
        }
        let took = ContinuousClock.now - started
        #expect(try await fixture.count("SELECT count(*) FROM $schema.tasks WHERE state = 'succeeded'") == 60)
        #expect(took < .seconds(60), "two workers took \(took) to finish 60 tasks of 20 ms and leave")
    }

    /// A worker that leaves once its run is done waits for the run's batches as well: a batch's
    /// last answers are stored before it is marked applied, and a worker that left in between
    /// (its batch loop cancelled) left the batch open (caught by a CI run of the batch-mode suite).
    @Test func aWorkerLeavingWhenDoneWaitsForItsRunsBatches() async throws {
        let fixture = try await WorkerFixture.make(rows: 5)
        let worker = fixture.worker(
            ScriptedChat(), batchAPI: BatchAPI(provider: NoBatchProvider(), store: PostgresBatchStore(queue: fixture.database.queue)))
        // A batch of the run that another worker is applying, its job held for an hour.
        let batch = try await fixture.count(
            """
            WITH b AS (INSERT INTO $schema.batches (run_id, endpoint, state, job_owner, job_token, job_expires_at)
                       VALUES (\(fixture.run.id), '\(worker.configuration.endpoint.key)', 'ended', 'another', 1, now() + interval '1 hour')
                       RETURNING id)
            SELECT id::int FROM b
            """)
        let left = Flag()
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                try await worker.run()
                left.raise()
            }
            #expect(try await fixture.waitUntil("SELECT count(*) FROM $schema.tasks WHERE state = 'succeeded'", is: 5))
            try await Task.sleep(for: .seconds(1))
            #expect(!left.isRaised, "the worker left with its run's batch still being applied")
            _ = try await fixture.count(
                "WITH b AS (UPDATE $schema.batches SET state = 'applied' WHERE id = \(batch) RETURNING 1) SELECT count(*) FROM b")
            #expect(await left.waitUntilRaised(patience: .seconds(60)), "the worker did not leave once the batch was applied")
        }
    }

    /// A rejected answer or a 500 goes back to pending after a backoff and is tried again;
    /// both attempts are in the history, and the task ends succeeded.
    @Test func failuresBackOffAndRetry() async throws {
        let fixture = try await WorkerFixture.make(rows: 20)
        let chat = ScriptedChat { call in
            switch call {
            case 1: .failure(LLMError(kind: .serverError, httpStatus: 500, message: "boom"))
            case 2: .invalid
            default: nil
            }
        }
        // Twenty 500s in a row would mark the endpoint down (its faults then cost nothing, see
        // EndpointHealthTests); here the endpoint stays up, so each 500 is the task's attempt.
        try await fixture.worker(chat, endpoint: EndpointHealthPolicy(faultThreshold: 1000)).run()
        #expect(try await fixture.count("SELECT count(*) FROM $schema.tasks WHERE state = 'succeeded' AND attempts = 3") == 20)
        #expect(try await fixture.count("SELECT count(*) FROM $schema.attempts WHERE code = 'http_500'") == 20)
        #expect(try await fixture.count("SELECT count(*) FROM $schema.attempts WHERE outcome = 'rejected'") == 20)
    }

    /// Every call carries a max_tokens derived from the method when the run sets none, and an
    /// answer cut by it says which limit that was and how to lift it.
    @Test func everyCallHasATokenLimitAndACutSaysWhichOne() async throws {
        let fixture = try await WorkerFixture.make(rows: 6)
        try await fixture.worker(ScriptedChat { call in call == 1 ? .truncated : nil }).run()
        #expect(try await fixture.count("SELECT count(*) FROM $schema.tasks WHERE state = 'succeeded'") == 6)
        let expected = RunConfig(rounds: 1, respond: false, model: "m").completionTokenLimit(for: .rewrite)
        #expect(expected == 100 * 12 + 256)
        #expect(
            try await fixture.count(
                "SELECT count(*) FROM $schema.attempts WHERE code = 'truncated' AND detail LIKE '%max_tokens \(expected) (derived from --max-words 100%'"
            ) == 6)
        let chat = ScriptedChat()
        let again = try await WorkerFixture.make(rows: 2)
        try await again.worker(chat).run()
        #expect(chat.snapshot.maxTokensSent == [expected])
    }

    /// A task whose attempts run out is failed for good, not retried forever.
    @Test func attemptsRunOut() async throws {
        let fixture = try await WorkerFixture.make(rows: 5)
        try await fixture.worker(ScriptedChat { _ in .invalid }).run()
        #expect(try await fixture.count("SELECT count(*) FROM $schema.tasks WHERE state = 'failed' AND attempts = 3") == 5)
    }

    /// The database refuses the first completion statements (a restart): the batcher retries
    /// with backoff and nothing is lost or written twice.
    @Test func completionBatchesSurviveAShortOutage() async throws {
        let fixture = try await WorkerFixture.make(rows: 30)
        fixture.store.counts.withLock { $0.failNext = 2 }
        try await fixture.worker(ScriptedChat()).run()
        #expect(try await fixture.count("SELECT count(*) FROM $schema.results") == 30)
        #expect(try await fixture.count("SELECT count(*) FROM $schema.tasks WHERE state = 'succeeded' AND attempts = 1") == 30)
    }

    /// Fencing: a completion from a lease that expired and was reaped changes nothing.
    @Test func aStaleLeaseCannotComplete() async throws {
        let fixture = try await WorkerFixture.make(rows: 1)
        let task = try #require(try await fixture.store.claim(workerID: "old", limit: 1, lease: .seconds(30), runIDs: nil).first)
        _ = try await fixture.count(
            "WITH e AS (UPDATE $schema.tasks SET lease_expires_at = now() - interval '1 second' RETURNING 1) SELECT count(*) FROM e")
        #expect(try await fixture.store.reapExpiredLeases() == 1)
        let batcher = CompletionBatcher(store: fixture.store, workerID: "old")
        let outcome = try await withThrowingTaskGroup(of: LeaseOutcome?.self) { group in
            group.addTask {
                await batcher.run(); return nil
            }
            let outcome = try await batcher.complete(
                Completion(
                    task: task, output: .response("late"), followUp: nil, difficulty: 0,
                    report: CallReport()))
            group.cancelAll()
            return outcome
        }
        #expect(outcome == .stale)
        #expect(try await fixture.count("SELECT count(*) FROM $schema.results") == 0)
        #expect(try await fixture.count("SELECT count(*) FROM $schema.tasks WHERE state = 'pending'") == 1)
    }

    /// Shutdown drains: calls still running when the grace period ends are cancelled and their
    /// tasks released at once; none stays running, none is lost.
    @Test func shutdownReleasesWhatTheGraceCannotFinish() async throws {
        let fixture = try await WorkerFixture.make(rows: 40)
        let chat = ScriptedChat(latency: .seconds(30))
        let worker = fixture.worker(chat, concurrency: 6, grace: .milliseconds(200), exitWhenDone: false)
        let group = ServiceGroup(configuration: .init(services: [worker], logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() })))
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            while chat.snapshot.inFlight < 6 { try await Task.sleep(for: .milliseconds(5)) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        // The calls last 30 s: well under that means they were cancelled, not awaited (the bound
        // leaves room for a loaded machine running the other suites beside this one).
        #expect(ContinuousClock.now - started < .seconds(15))
        #expect(try await fixture.count("SELECT count(*) FROM $schema.tasks WHERE state = 'running'") == 0)
        #expect(try await fixture.count("SELECT count(*) FROM $schema.tasks WHERE state = 'pending'") == 40)
        #expect(try await fixture.count("SELECT count(*) FROM $schema.attempts WHERE outcome = 'released'") == 6)
    }

    /// A worker told to stop while its database is gone stops anyway, within the grace period
    /// and its patience for the last statements: its leases expire and a reaper returns the tasks.
    @Test func aStopDoesNotWaitOnADatabaseThatIsGone() async throws {
        let fixture = try await WorkerFixture.make(rows: 20)
        let chat = ScriptedChat(latency: .seconds(30))
        let worker = fixture.worker(chat, concurrency: 4, grace: .milliseconds(200), exitWhenDone: false, stopPatience: .milliseconds(300))
        let group = ServiceGroup(services: [worker], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            while chat.snapshot.inFlight < 4 { try await Task.sleep(for: .milliseconds(5)) }
            fixture.store.databaseGone.withLock { $0 = true }
            let started = ContinuousClock.now
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            // Grace 0.2 s, then 0.3 s each for the release and markStopped; without that patience
            // it would wait for ever. (Room for a loaded machine.)
            #expect(ContinuousClock.now - started < .seconds(10), "grace 0.2 s, then 0.3 s each for the release and markStopped")
        }
    }

    /// An endpoint that refuses the key stops the worker; the refusal costs no task an attempt.
    @Test func aRefusedKeyStopsTheWorker() async throws {
        let fixture = try await WorkerFixture.make(rows: 10)
        let chat = ScriptedChat { _ in .failure(LLMError(kind: .unauthorized, httpStatus: 401, message: "bad key")) }
        await #expect(throws: EndpointUnusable.self) { try await fixture.worker(chat, concurrency: 2).run() }
        #expect(try await fixture.count("SELECT count(*) FROM $schema.tasks WHERE state IN ('failed', 'running')") == 0)
        #expect(try await fixture.count("SELECT count(*) FROM $schema.tasks WHERE attempts = 0") == 10)
        // The refusal is on record under its own code, where operators look for it.
        let refusals = try await fixture.count("SELECT count(*) FROM $schema.attempts WHERE outcome = 'error' AND code = 'http_401'")
        #expect(refusals >= 1)
        #expect(try await fixture.count("SELECT coalesce(sum(attempts), 0)::int8 FROM $schema.failure_reasons WHERE code = 'http_401'") == refusals)
    }
}
