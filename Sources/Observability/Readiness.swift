import Synchronization

/// Whether this process should get traffic (readiness) as opposed to being alive (liveness):
/// a worker is ready once its database answered and it registered, and stops being ready when
/// it begins to drain. Synchronous, so a graceful-shutdown handler can flip it directly.
public final class Readiness: Sendable {
    private let state = Mutex((isReady: false, reason: "starting"))

    public init() {}

    public var isReady: Bool { state.withLock { $0.isReady } }
    public var reason: String { state.withLock { $0.reason } }

    /// Both at once, as one probe reads them.
    public var current: (isReady: Bool, reason: String) { state.withLock { $0 } }

    public func markReady() {
        state.withLock { $0 = (true, "ready") }
    }

    public func markNotReady(_ reason: String) {
        state.withLock { $0 = (false, reason) }
    }
}
