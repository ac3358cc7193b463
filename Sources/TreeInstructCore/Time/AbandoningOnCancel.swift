import Synchronization

/// Runs `operation` so that a cancelled caller returns at once (throwing CancellationError),
/// whether or not `operation` honours cancellation. It is cancelled too, and left to end by
/// itself.
///
/// For calls into libraries that may not come back when cancelled: async-http-client's pool can
/// keep a request (or its shutdown) waiting on a connection backoff after the peer went away
/// (swift-server/async-http-client#419), and a worker's stop must not wait on it forever.
public func abandoningOnCancel<Result: Sendable>(_ operation: @escaping @Sendable () async throws -> Result) async throws -> Result {
    let outcome = OnceOutcome<Result>()
    // Unstructured on purpose, to bridge the cancel handler: a child task that never ends would
    // hold its parent too, which is what this function exists to prevent.
    let running = Task {
        do { outcome.deliver(.success(try await operation())) } catch { outcome.deliver(.failure(error)) }
    }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { outcome.await($0) }
    } onCancel: {
        running.cancel()
        outcome.deliver(.failure(CancellationError()))
    }
}

/// The first outcome delivered, handed to the one waiter whenever it arrives.
private final class OnceOutcome<Value: Sendable>: Sendable {
    private struct State {
        var result: Result<Value, any Error>?
        var waiter: CheckedContinuation<Value, any Error>?
    }
    private let state = Mutex(State())

    func deliver(_ result: Result<Value, any Error>) {
        let waiter: CheckedContinuation<Value, any Error>? = state.withLock { state in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: result)
    }

    func await(_ waiter: CheckedContinuation<Value, any Error>) {
        let ready: Result<Value, any Error>? = state.withLock { state in
            if state.result == nil { state.waiter = waiter }
            return state.result
        }
        if let ready { waiter.resume(with: ready) }
    }
}
