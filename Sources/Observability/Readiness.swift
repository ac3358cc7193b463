/// Whether this process should get traffic (readiness) as opposed to being alive (liveness):
/// a worker is ready once its database answered and it registered, and stops being ready when
/// it begins to drain.
public actor Readiness {
    public private(set) var isReady = false
    public private(set) var reason = "starting"

    public init() {}

    public func markReady() {
        isReady = true
        reason = "ready"
    }

    public func markNotReady(_ reason: String) {
        isReady = false
        self.reason = reason
    }
}
