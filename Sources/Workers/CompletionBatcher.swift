import TreeInstructCore

/// Gathers the completions a worker's concurrent calls produce within a couple of
/// milliseconds into one statement, so the database commits once per batch instead of once
/// per task: the store's cost per completion is mostly the round trip, parse and plan.
/// One batch is written at a time and the next gathers while it commits, so batches grow
/// with the load by themselves (a worker sharing two cores with three others wrote batches of
/// two or three, every 2 ms each, and the database's work per task doubled) and stay single
/// completions when calls are few. When completions gathered during the last write (under load,
/// or by chance at a modest rate) and are fewer than half a statement, they wait up to
/// `patience` from the start of that write for more (`WorkerConfiguration.completionPatience`).
/// Half a statement is at most half the worker's slots: a worker holds at most twice its slots,
/// and a fill it could not reach would make every such batch wait out the patience.
///
/// It runs as a child task of the worker (`run()`), which ends once it is cancelled and nothing
/// is left to write. Each caller waits for its own outcome, so a result is durable before its
/// task slot frees. A batch that fails is retried with backoff (the database may be
/// restarting), then row by row, so one bad row cannot fail its neighbours and each caller
/// sees its own error. At most `backlogLimit` completions wait to be written; callers beyond
/// that wait for room.
actor CompletionBatcher {
    typealias Waiter = CheckedContinuation<LeaseOutcome, any Error>

    private let store: any LeaseStore
    private let workerID: String
    private let maxBatch: Int
    private let window: Duration
    private let patience: Duration
    private let slots: @Sendable () async -> Int
    private let retryDelays: [Duration]
    private let backlogLimit: Int
    private var pending: [(Completion, Waiter)] = []
    private var wake: CheckedContinuation<Void, Never>?
    private var roomWaiters: [CheckedContinuation<Void, Never>] = []
    /// The write loop waiting, under load, for `fillTarget` completions.
    private var fillWaiter: CheckedContinuation<Void, Never>?
    private var fillTarget = Int.max
    private var lastWriteBegan: ContinuousClock.Instant?

    /// - Parameters:
    ///   - maxBatch: completions per statement at most (default 64).
    ///   - window: how long the first completion of a batch waits for company (default 2 ms;
    ///     workers pass `WorkerConfiguration.completionWindow`).
    ///   - patience: under load, how long after the last write began the next batch waits at most
    ///     for half a statement (default 0: it does not; workers pass
    ///     `WorkerConfiguration.completionPatience`).
    ///   - slots: the calls the worker may have in flight now (default: no bound); half a
    ///     statement is half of these or of `maxBatch`, whichever is fewer.
    ///   - retryDelays: pauses between tries of a failed batch (default 0.1, 0.3, 1, 3 s).
    ///   - backlogLimit: completions waiting to be written at most (default 1024).
    init(
        store: any LeaseStore, workerID: String, maxBatch: Int = 64, window: Duration = .milliseconds(2), patience: Duration = .zero,
        slots: @escaping @Sendable () async -> Int = { .max },
        retryDelays: [Duration] = [.milliseconds(100), .milliseconds(300), .seconds(1), .seconds(3)], backlogLimit: Int = 1024
    ) {
        self.store = store
        self.workerID = workerID
        self.maxBatch = max(1, maxBatch)
        self.window = window
        self.patience = patience
        self.slots = slots
        self.retryDelays = retryDelays
        self.backlogLimit = max(self.maxBatch, backlogLimit)
    }

    /// Stores `completion` with whatever else arrives in the same window; returns its outcome.
    func complete(_ completion: Completion) async throws -> LeaseOutcome {
        while pending.count >= backlogLimit {
            await withCheckedContinuation { roomWaiters.append($0) }
        }
        return try await withCheckedThrowingContinuation { waiter in
            pending.append((completion, waiter))
            wake?.resume()
            wake = nil
            if pending.count >= fillTarget { endFillWait() }
        }
    }

    /// The write loop: takes batches as they form and writes one at a time (the write leaves the
    /// actor, so new completions keep gathering while it commits). Returns when cancelled with
    /// nothing pending.
    func run() async {
        while let batch = await nextBatch() {
            await write(batch)
        }
    }

    private func nextBatch() async -> [(Completion, Waiter)]? {
        // What gathered during the last write goes at once: it has waited a commit already.
        let gathered = !pending.isEmpty
        if pending.isEmpty {
            guard !Task.isCancelled else { return nil }
            await withTaskCancellationHandler {
                await withCheckedContinuation { wake = $0 }
            } onCancel: {
                // A cancellation handler cannot touch the actor's state; this task only hops
                // onto the actor to end the wait.
                Task { await self.endWait() }
            }
            if pending.isEmpty { return nil }
        }
        if !gathered, pending.count < maxBatch { try? await Task.sleep(for: window) }
        if gathered, let began = lastWriteBegan, began + patience > .now {
            let halfStatement = max(1, min(maxBatch, await slots()) / 2)
            if pending.count < halfStatement { await waitForFill(halfStatement, until: began + patience) }
        }
        lastWriteBegan = .now
        let batch = Array(pending.prefix(maxBatch))
        pending.removeFirst(batch.count)
        for waiter in roomWaiters { waiter.resume() }
        roomWaiters.removeAll()
        return batch
    }

    private func endWait() {
        wake?.resume()
        wake = nil
    }

    /// Completions waiting for a statement (for tests).
    var pendingCount: Int { pending.count }

    /// Returns when `target` completions are pending, at `deadline`, or when cancelled; the
    /// completion that fills the batch or one timer ends the wait, it does not poll.
    private func waitForFill(_ target: Int, until deadline: ContinuousClock.Instant) async {
        fillTarget = target
        defer { fillTarget = .max }
        await parkedWait(until: deadline, park: { fillWaiter = $0 }, expire: { await self.endFillWait() })
    }

    private func endFillWait() {
        fillWaiter?.resume()
        fillWaiter = nil
    }

    private nonisolated func write(_ batch: [(Completion, Waiter)]) async {
        for delay in retryDelays + [nil] {
            do {
                let outcomes = try await store.complete(batch.map(\.0), workerID: workerID)
                for (completion, waiter) in batch { waiter.resume(returning: outcomes[completion.task.id] ?? .stale) }
                return
            } catch {
                guard let delay else { break }
                try? await Task.sleep(for: delay)
            }
        }
        for (completion, waiter) in batch {
            do {
                let outcomes = try await store.complete([completion], workerID: workerID)
                waiter.resume(returning: outcomes[completion.task.id] ?? .stale)
            } catch {
                waiter.resume(throwing: error)
            }
        }
    }
}
