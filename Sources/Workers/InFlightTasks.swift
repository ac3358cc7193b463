import TaskStore

/// The tasks a worker holds right now, and the slots it has free: the claim loop waits here
/// for room, and shutdown reads here what must be released.
actor InFlightTasks {
    private let capacity: Int
    private var tasks: [Int64: ClaimedTask] = [:]
    private var slotWaiter: CheckedContinuation<Void, Never>?
    private(set) var stopping = false
    /// Set when a call shows the worker cannot go on (the endpoint refuses our key or model).
    private(set) var fatalError: (any Error)?

    init(capacity: Int) { self.capacity = capacity }

    var count: Int { tasks.count }
    var free: Int { stopping ? 0 : capacity - tasks.count }
    var all: [ClaimedTask] { Array(tasks.values) }

    func add(_ task: ClaimedTask) { tasks[task.id] = task }

    func remove(_ task: ClaimedTask) {
        tasks[task.id] = nil
        wakeClaimLoop()
    }

    /// Returns when a slot is free or the worker is stopping.
    func waitForSlot() async {
        guard free == 0, !stopping else { return }
        await withCheckedContinuation { slotWaiter = $0 }
    }

    /// Returns when `minimum` slots are free, `patience` has passed with at least one free, or
    /// the worker is stopping: claiming one task each time one finishes would cost a
    /// statement per task, while a short wait lets one claim fill several slots.
    func waitForRoom(minimum: Int, patience: Duration) async {
        await waitForSlot()
        let deadline = ContinuousClock.now + patience
        while !stopping, free < minimum, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(1))
        }
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
    }
}
