import TreeInstructCore

/// Gathers the completions a worker's concurrent calls produce within a couple of
/// milliseconds into one statement, so the database commits once per batch instead of once
/// per task: the store's cost per completion is mostly the round trip, parse and plan.
///
/// Each caller still waits for its own outcome, so a result is durable before its task slot
/// frees. If a batch fails, each of its completions is retried alone, so one bad row cannot
/// fail its neighbours and each caller sees its own error.
actor CompletionBatcher {
    private let store: any LeaseStore
    private let workerID: String
    private let maxBatch: Int
    private let window: Duration
    private var pending: [(Completion, CheckedContinuation<LeaseOutcome, any Error>)] = []
    private var flushScheduled = false

    init(store: any LeaseStore, workerID: String, maxBatch: Int = 64, window: Duration = .milliseconds(2)) {
        self.store = store
        self.workerID = workerID
        self.maxBatch = max(1, maxBatch)
        self.window = window
    }

    /// Stores `completion` with whatever else arrives in the same window; returns its outcome.
    func complete(_ completion: Completion) async throws -> LeaseOutcome {
        try await withCheckedThrowingContinuation { continuation in
            pending.append((completion, continuation))
            if pending.count >= maxBatch {
                startFlush(pending)
                pending = []
            } else if !flushScheduled {
                flushScheduled = true
                Task { await flushAfterWindow() }
            }
        }
    }

    private func flushAfterWindow() async {
        try? await Task.sleep(for: window)
        flushScheduled = false
        guard !pending.isEmpty else { return }
        startFlush(pending)
        pending = []
    }

    /// Writes the batch off the actor, so new completions keep gathering while it commits.
    private nonisolated func startFlush(_ batch: [(Completion, CheckedContinuation<LeaseOutcome, any Error>)]) {
        let (store, workerID) = (store, workerID)
        Task {
            do {
                let outcomes = try await store.complete(batch.map(\.0), workerID: workerID)
                for (completion, continuation) in batch {
                    continuation.resume(returning: outcomes[completion.task.id] ?? .stale)
                }
            } catch {
                for (completion, continuation) in batch {
                    do {
                        let outcomes = try await store.complete([completion], workerID: workerID)
                        continuation.resume(returning: outcomes[completion.task.id] ?? .stale)
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
            }
        }
    }
}
