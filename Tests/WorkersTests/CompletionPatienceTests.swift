import PostgresTestSupport
import Testing
import TreeInstructCore
@testable import Workers

/// The completion batcher under load: what gathers while a statement commits waits, up to its
/// patience, for half a statement of company, and without patience goes at once.
@Suite("Completion batches under load", .enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
struct CompletionPatienceTests {
    @Test("completions gathered during a write wait for half a statement when patient, and go at once when not")
    func gatheredCompletionsWaitForHalfAStatement() async throws {
        let patient = try await batchSizes(patience: .seconds(60))
        #expect(patient == [1, 8], "a patient batcher writes the five with the next three: \(patient)")
        #expect(try await batchSizes(patience: .zero).prefix(2) == [1, 5], "without patience the five go as soon as the first write ends")
    }

    /// One completion, written slowly; five arriving meanwhile; then three more once that write
    /// has ended and the batcher has had time to act. Returns the statements' sizes.
    private func batchSizes(patience: Duration) async throws -> [Int] {
        let fixture = try await WorkerFixture.make(rows: 9)
        let tasks = try await fixture.store.claim(workerID: "w", limit: 9, lease: .seconds(60), runIDs: nil)
        try #require(tasks.count == 9)
        let batcher = CompletionBatcher(store: fixture.store, workerID: "w", maxBatch: 16, window: .milliseconds(1), patience: patience)
        let store = fixture.store
        store.counts.withLock { $0.holdWrites = true }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await batcher.run() }
            func finish(_ task: ClaimedTask) {
                group.addTask {
                    _ = try await batcher.complete(
                        Completion(task: task, output: .response("done"), followUp: nil, difficulty: 0, report: CallReport()))
                }
            }
            finish(tasks[0])
            try await Self.waitFor { store.counts.withLock { $0.writesBegun } == 1 }
            for task in tasks[1...5] { finish(task) }
            try await Self.waitFor { await batcher.pendingCount == 5 }
            store.counts.withLock { $0.holdWrites = false }
            try await Self.waitFor { store.counts.withLock { $0.completeCalls } >= (patience == .zero ? 2 : 1) }
            try await Task.sleep(for: .milliseconds(200))  // a batcher that does not wait has written the five by now
            for task in tasks[6...8] { finish(task) }
            try await Self.waitFor { store.counts.withLock { $0.completionBatches.reduce(0, +) } == 9 }
            group.cancelAll()
        }
        #expect(try await fixture.count("SELECT count(*) FROM $schema.results") == 9)
        return store.counts.withLock { $0.completionBatches }
    }

    private static func waitFor(_ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while await !condition() {
            guard ContinuousClock.now < deadline else { throw TimedOut() }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    private struct TimedOut: Error {}
}
