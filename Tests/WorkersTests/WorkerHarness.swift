import EndpointSimulator
import Foundation
import Logging
import PostgresNIO
import PostgresTestSupport
import RateLimiting
import Synchronization
import TaskStore
import TreeInstructCore
import Wiring
@testable import Workers

/// An endpoint in the test's own process: answers each prompt as a well-behaved model would
/// (the simulator's answer builder, no HTTP), after `latency`, or as `script` says for the
/// n-th call of a task; counts calls and the most in flight at once.
final class ScriptedChat: ChatCompleting, @unchecked Sendable {  // state behind `state`'s lock
    enum Reply: Sendable {
        case valid, invalid
        /// Cut by max_tokens (finish_reason length).
        case truncated
        case failure(LLMError)
    }

    struct State {
        var calls = 0
        var inFlight = 0
        var mostInFlight = 0
        var callsPerInstruction: [String: Int] = [:]
        /// Every max_tokens the calls carried (nil: none sent).
        var maxTokensSent: Set<Int?> = []
    }

    let latency: Duration
    /// The first calls wait (up to 30 s) until this many are in flight at once, so a test of
    /// filling the slots does not depend on how fast a loaded machine claims; nil: no wait.
    let holdUntilInFlight: Int?
    /// What the n-th call (1-based) for one instruction answers; `.valid` when it returns nil.
    let script: @Sendable (Int) -> Reply?
    let state = Mutex(State())
    /// While set, every call fails with it (an outage, a spent quota), whatever `script` says.
    let outage = Mutex<LLMError?>(nil)

    init(
        latency: Duration = .milliseconds(5), holdUntilInFlight: Int? = nil,
        script: @escaping @Sendable (Int) -> Reply? = { _ in nil }
    ) {
        self.latency = latency
        self.holdUntilInFlight = holdUntilInFlight
        self.script = script
    }

    func complete(_ prompt: ChatPrompt, model: String, temperature: Double?, maxTokens: Int?) async throws -> ChatCompletion {
        let key = prompt.messages.last?.content ?? ""
        let call = state.withLock { state in
            state.calls += 1
            state.inFlight += 1
            state.mostInFlight = max(state.mostInFlight, state.inFlight)
            state.callsPerInstruction[key, default: 0] += 1
            state.maxTokensSent.insert(maxTokens)
            return state.callsPerInstruction[key]!
        }
        defer { state.withLock { $0.inFlight -= 1 } }
        if let wanted = holdUntilInFlight {
            let deadline = ContinuousClock.now + .seconds(30)
            while state.withLock({ $0.mostInFlight < wanted }) && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(2))
            }
        }
        try await Task.sleep(for: latency)
        if let failure = outage.withLock({ $0 }) { throw failure }
        let builder = AnswerBuilder(messages: prompt.messages, seed: 7, wantsJSON: prompt.responseSchema != nil)
        switch script(call) ?? .valid {
        case .valid: return ChatCompletion(content: builder.answer(), finishReason: "stop", model: model, promptTokens: 10, completionTokens: 10)
        case .invalid: return ChatCompletion(content: "Sure! Here is the answer.", finishReason: "stop", model: model)
        case .truncated: return ChatCompletion(content: String(builder.answer().prefix(40)), finishReason: "length", model: model)
        case .failure(let error): throw error
        }
    }

    var snapshot: State { state.withLock { $0 } }
}

/// The PostgreSQL lease store, counting what the worker core asks of it.
final class CountingStore: LeaseStore {
    struct Counts {
        var claims = 0; var claimed = 0; var largestClaim = 0; var completeCalls = 0; var completed = 0; var failNext = 0; var configReads = 0
        /// Each completion statement's size, in order, once it has committed.
        var completionBatches: [Int] = []
        /// While set, a completion statement waits before it is counted and written (a slow commit).
        var holdWrites = false
        /// Completion statements begun, held ones included.
        var writesBegun = 0
    }
    let base: PostgresLeaseStore
    let counts = Mutex(Counts())
    /// While set, release and markStopped wait forever (until cancelled), as queries on a pool
    /// whose database is gone do.
    let databaseGone = Mutex(false)

    init(base: PostgresLeaseStore) { self.base = base }

    func register(_ worker: WorkerIdentity) async throws { try await base.register(worker) }
    func claim(workerID: String, limit: Int, lease: Duration, runIDs: [Int64]?) async throws -> [ClaimedTask] {
        let tasks = try await base.claim(workerID: workerID, limit: limit, lease: lease, runIDs: runIDs)
        if !tasks.isEmpty {
            counts.withLock {
                $0.claims += 1; $0.claimed += tasks.count; $0.largestClaim = max($0.largestClaim, tasks.count)
            }
        }
        return tasks
    }
    func heartbeat(workerID: String, holding tasks: [ClaimedTask], lease: Duration) async throws -> Set<Int64> {
        try await base.heartbeat(workerID: workerID, holding: tasks, lease: lease)
    }
    func complete(_ completions: [Completion], workerID: String) async throws -> [Int64: LeaseOutcome] {
        let fail = counts.withLock { counts in
            defer { counts.failNext = max(0, counts.failNext - 1) }
            return counts.failNext > 0
        }
        if fail { throw StoreDown() }
        counts.withLock { $0.writesBegun += 1 }
        while counts.withLock({ $0.holdWrites }) { try await Task.sleep(for: .milliseconds(2)) }
        counts.withLock {
            $0.completeCalls += 1; $0.completed += completions.count
        }
        let outcomes = try await base.complete(completions, workerID: workerID)
        counts.withLock { $0.completionBatches.append(completions.count) }
        return outcomes
    }
    func fail(
        _ task: ClaimedTask, workerID: String, failure: AttemptFailure, retryDelay: Duration,
        report: CallReport
    ) async throws -> LeaseOutcome {
        try await base.fail(task, workerID: workerID, failure: failure, retryDelay: retryDelay, report: report)
    }
    func release(_ tasks: [ClaimedTask], workerID: String) async throws -> Int {
        try await waitIfGone()
        return try await base.release(tasks, workerID: workerID)
    }
    func reapExpiredLeases() async throws -> Int { try await base.reapExpiredLeases() }
    func markStopped(workerID: String) async throws {
        try await waitIfGone()
        try await base.markStopped(workerID: workerID)
    }

    private func waitIfGone() async throws {
        if databaseGone.withLock({ $0 }) { try await Task.sleep(for: .seconds(3600)) }
    }
    func openTaskCount(runIDs: [Int64]?) async throws -> Int { try await base.openTaskCount(runIDs: runIDs) }
    func runConfig(id: Int64) async throws -> RunConfig {
        counts.withLock { $0.configReads += 1 }
        return try await base.runConfig(id: id)
    }

    struct StoreDown: Error {}
}

/// A run of `rows` rows on a fresh schema, and what the tests read back.
struct WorkerFixture {
    let database: Database
    let run: RunRecord
    let store: CountingStore

    static func make(rows: Int, config: RunConfig = RunConfig(rounds: 1, respond: false, model: "m", maxAttempts: 3)) async throws -> WorkerFixture {
        let database = try await TestPostgres.database()
        let run = try await database.queue.runs.createOrFindRun(name: "in-process", config: config)
        let records = (1...rows).map {
            InstructionRecord(instruction: "Describe the history of the city number \($0) in Europe.", input: "", line: $0)
        }
        _ = try await database.queue.runs.insertShard(records, sourceFile: "corpus.jsonl", run: run)
        return WorkerFixture(database: database, run: run, store: CountingStore(base: PostgresLeaseStore(queue: database.queue)))
    }

    func worker(
        _ chat: ScriptedChat, concurrency: Int = 8, lease: Duration = .seconds(30), grace: Duration = .seconds(5),
        exitWhenDone: Bool = true, backoff: Backoff = Backoff(base: .milliseconds(20), max: .milliseconds(50)),
        endpoint: EndpointHealthPolicy = EndpointHealthPolicy(probeEvery: .milliseconds(200), refreshEvery: .milliseconds(50)),
        stopPatience: Duration = .seconds(5), summaryEvery: Duration = .seconds(60), idle: Duration = .milliseconds(10),
        batchAPI: BatchAPI? = nil,
        logger: Logger = Logger(label: "worker-tests", factory: { _ in SwiftLogNoOpLogHandler() })
    ) -> Worker {
        var configuration = WorkerConfiguration(
            concurrency: concurrency, lease: lease, grace: grace,
            idle: idle, runIDs: [run.id], exitWhenDone: exitWhenDone, backoff: backoff, endpoint: endpoint)
        configuration.stopPatience = stopPatience
        configuration.summaryEvery = summaryEvery
        let limiter = RateLimiter(budget: LocalRateBudget(limits: RateLimits()), limits: RateLimits())
        return Worker(
            configuration: configuration, store: store, health: database.queue.health, chat: chat, batchAPI: batchAPI, limiter: limiter,
            version: "test",
            logger: logger)
    }

    /// Polls `sql` (a count) until it is `value`, for at most `patience`; returns whether it got there.
    /// The default patience is long because it costs nothing when things work: CI runs every suite at
    /// once on two cores, and a clean-clone run there once needed more than 10 s for five 20 ms tasks.
    func waitUntil(_ sql: String, is value: Int, patience: Duration = .seconds(90)) async throws -> Bool {
        try await eventually(within: patience) { try await count(sql) == value }
    }

    func count(_ sql: String) async throws -> Int {
        let rows = try await database.client.query(.init(unsafeSQL: sql.replacingOccurrences(of: "$schema", with: "\"\(database.schema)\"")))
        for try await value in rows.decode(Int.self) { return value }
        return -1
    }
}

/// A provider no test of the worker core should reach: every call fails as an endpoint without
/// a Batch API does.
struct NoBatchProvider: BatchProviding {
    private var refused: LLMError { LLMError(kind: .notFound, message: "no Batch API in this test") }
    func submit(_ requests: [BatchRequest], completionWindow: String, metadata: [String: String], maxFileBytes: Int) async throws -> SubmittedBatch {
        throw refused
    }
    func retrieve(_ id: String) async throws -> ProviderBatch { throw refused }
    func cancel(_ id: String) async throws -> ProviderBatch { throw refused }
    func list(after: String?, limit: Int) async throws -> (batches: [ProviderBatch], hasMore: Bool) { throw refused }
    func answers(inFile id: String, _ body: (BatchAnswer) async throws -> Void) async throws { throw refused }
}

/// Set once, read from anywhere: whether something has happened yet.
final class Flag: Sendable {
    private let raised = Mutex(false)
    var isRaised: Bool { raised.withLock { $0 } }
    func raise() { raised.withLock { $0 = true } }

    /// Polls until raised, for at most `patience`; returns whether it was.
    func waitUntilRaised(patience: Duration) async -> Bool {
        await eventually(within: patience) { isRaised }
    }
}

/// Polls `condition` every 20 ms until it holds, for at most `patience`; returns whether it did.
func eventually(within patience: Duration, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + patience
    while ContinuousClock.now < deadline, !Task.isCancelled {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return false
}
