import TreeInstructCore

/// The tasks a worker holds right now, and the slots it has free: the claim loop waits here
/// for room, and shutdown reads here what must be released.
///
/// A slot is an LLM call (`--concurrency`). A task whose call has returned and whose outcome is
/// being written no longer takes one, so the next call starts while the database commits; held
/// tasks stay under twice the capacity even when the database is slower than the endpoint.
/// With `--concurrency auto` the capacity follows `AdaptiveConcurrency`, fed by each call.
actor InFlightTasks {
    private let fixedCapacity: Int
    private var pacing: AdaptiveConcurrency?
    private var tasks: [Int64: ClaimedTask] = [:]
    private var writing: Set<Int64> = []
    private var slotWaiter: CheckedContinuation<Void, Never>?
    /// The claim loop waiting for room or for its last task to end, and what ends its wait.
    private var claimLoopWaiter: (awaited: Awaited, continuation: CheckedContinuation<Void, Never>)?
    private(set) var stopping = false
    /// Set when a call shows the worker cannot go on (the endpoint refuses our key or model).
    private(set) var fatalError: (any Error)?

    init(capacity: Int) { fixedCapacity = capacity }

    init(pacing: AdaptiveConcurrency) {
        self.pacing = pacing
        fixedCapacity = pacing.maximum
    }

    /// Calls allowed in flight now: the limiter's slots, or the fixed capacity.
    var slots: Int { pacing?.slots ?? fixedCapacity }

    var count: Int { tasks.count }
    var free: Int { stopping ? 0 : max(0, min(slots - (tasks.count - writing.count), 2 * slots - tasks.count)) }
    var all: [ClaimedTask] { Array(tasks.values) }
    /// Tasks still waiting on their call: the ones a lost lease can still cost (the others are
    /// being written, and a heartbeat racing that write is no loss).
    var awaitingCall: [ClaimedTask] { tasks.values.filter { !writing.contains($0.id) } }

    func add(_ task: ClaimedTask) { tasks[task.id] = task }

    /// The task's call has returned: its slot is free while its outcome is written. With
    /// adaptive concurrency, what the call `observed` (its `inFlight` is filled in here) may
    /// change the number of slots; the new number is returned when it did.
    @discardableResult
    func callReturned(_ task: ClaimedTask, observed: AdaptiveConcurrency.Sample? = nil) -> Int? {
        guard tasks[task.id] != nil else { return nil }
        var changed: Int?
        if var pacing, var sample = observed {
            // Tasks in hand, whether their call is out or their outcome is being written: on a
            // fast endpoint the writes are where the time goes, and those slots are not idle.
            sample.inFlight = tasks.count
            changed = pacing.record(sample)
            self.pacing = pacing
        }
        guard writing.insert(task.id).inserted else { return changed }
        wakeClaimLoop()
        return changed
    }

    func remove(_ task: ClaimedTask) {
        tasks[task.id] = nil
        writing.remove(task.id)
        wakeClaimLoop()
    }

    /// Returns when a slot is free or the worker is stopping.
    func waitForSlot() async {
        while free == 0, !stopping {
            await withCheckedContinuation { slotWaiter = $0 }
        }
    }

    /// Returns when `minimum` slots are free, `patience` has passed with at least one free, or
    /// the worker is stopping: claiming one task each time one finishes would cost a
    /// statement per task, while a short wait lets one claim fill several slots.
    /// The minimum is at most half the slots there are now, so an adaptive limit that is still
    /// small does not wait out the patience before every claim. The wait is woken by the slot
    /// that makes the room, or by one timer at the deadline; it does not poll.
    func waitForRoom(minimum: Int, patience: Duration) async {
        await waitForSlot()
        await wait(for: .room(min(minimum, max(1, slots / 2))), patience: patience)
    }

    /// Returns when no task is held, `patience` has passed, or the worker is stopping: a worker
    /// that leaves once the runs are done (`exitWhenDone`) and finds nothing left to claim
    /// waits here for its own calls, not a whole idle pause.
    func waitUntilEmpty(patience: Duration) async {
        await wait(for: .noTasks, patience: patience)
    }

    private func wait(for awaited: Awaited, patience: Duration) async {
        guard !stopping, !isMet(awaited) else { return }
        await parkedWait(until: .now + patience, park: { claimLoopWaiter = (awaited, $0) }, expire: { await self.endClaimLoopWait() })
    }

    func fail(_ error: any Error) {
        if fatalError == nil { fatalError = error }
        stop()
    }

    func stop() {
        stopping = true
        wakeClaimLoop()
    }

    private func wakeClaimLoop() {
        slotWaiter?.resume()
        slotWaiter = nil
        if let waiter = claimLoopWaiter, stopping || isMet(waiter.awaited) {
            waiter.continuation.resume()
            claimLoopWaiter = nil
        }
    }

    /// The patience of a claim loop's wait has run out (or the wait ended first: then nothing waits).
    private func endClaimLoopWait() {
        claimLoopWaiter?.continuation.resume()
        claimLoopWaiter = nil
    }

    /// What the claim loop can wait for.
    private enum Awaited {
        /// At least this many free slots.
        case room(Int)
        /// No task held.
        case noTasks
    }

    private func isMet(_ awaited: Awaited) -> Bool {
        switch awaited {
        case .room(let needed): free >= needed
        case .noTasks: tasks.isEmpty
        }
    }
}
