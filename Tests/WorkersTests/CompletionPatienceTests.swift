import PostgresTestSupport
import Testing
import TreeInstructCore
@testable import Workers

/// The completion batcher under load: what gathers while a statement commits waits, up to its
/// patience, for half a statement of company (at most half the worker's slots), and without
/// patience goes at once.
@Suite("Completion batches under load", .enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
struct CompletionPatienceTests {
    @Test("completions gathered during a write wait for half a statement when patient, and go at once when not")
    func gatheredCompletionsWaitForHalfAStatement() async throws {
        let patient = try await batchSizes(patience: .seconds(60), waits: true)
        #expect(patient == [1, 8], "a patient batcher writes the five with the next three: \(patient)")
        let impatient = try await batchSizes(patience: .zero, waits: false)
        #expect(impatient.prefix(2) == [1, 5], "without patience the five go as soon as the first write ends: \(impatient)")
    }

    @Test("a wait ends when its patience runs out, and asks for no more than half the worker's slots")
    func waitsAreBounded() async throws {
        let timedOut = try await batchSizes(patience: .milliseconds(100), waits: false)
        #expect(timedOut.prefix(2) == [1, 5], "the five went when the patience ran out: \(timedOut)")
        let fewSlots = try await batchSizes(patience: .seconds(60), slots: 4, waits: false)
        #expect(fewSlots.prefix(2) == [1, 5], "with 4 slots half a statement is 2, and five are more: \(fewSlots)")
    }

    /// One completion (a lone one: it waits only the 1 ms window), written slowly; five arriving
    /// meanwhile; then three more, once the five are written (`waits` false) or 200 ms after the
    /// first write ended (`waits` true: a batcher that did not wait would have written them).
    /// Returns the committed statements' sizes.
    private func batchSizes(patience: Duration, slots: Int = .max, waits: Bool) async throws -> [Int] {
        let fixture = try await WorkerFixture.make(rows: 9)
        let tasks = try await fixture.store.claim(workerID: "w", limit: 9, lease: .seconds(60), runIDs: nil)
        try #require(tasks.count == 9)
        let batcher = CompletionBatcher(
            store: fixture.store, workerID: "w", maxBatch: 16, window: .milliseconds(1), patience: patience, slots: { slots })
        let store = fixture.store
        let committed = { store.counts.withLock { $0.completionBatches } }
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
            if waits {
                try await Self.waitFor { committed().count == 1 }
                try await Task.sleep(for: .milliseconds(200))
            } else {
                try await Self.waitFor { committed().count == 2 }
            }
            for task in tasks[6...8] { finish(task) }
            try await Self.waitFor { committed().reduce(0, +) == 9 }
            group.cancelAll()
        }
        #expect(try await fixture.count("SELECT count(*) FROM $schema.results") == 9)
        return committed()
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
