/// A fixed number of slots taken in arrival order: a request waits for one before its latency
/// starts and gives it back when answered, so N requests on a one-slot server finish one
/// latency apart, as on a llama.cpp server started with one slot.
actor SlotQueue {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(slots: Int) { free = max(1, slots) }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the slot to the next waiter, or frees it.
    func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
