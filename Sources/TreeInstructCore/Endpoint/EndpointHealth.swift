import Foundation

/// The endpoint's state as the whole cluster sees it (one row per endpoint key, shared like the
/// rate budget): every worker stops claiming while it is not `up`, and resumes together.
public struct EndpointHealth: Sendable, Hashable {
    public enum State: String, Sendable, Hashable, CaseIterable {
        /// Answering: work as usual.
        case up
        /// Enough endpoint faults in a row (transport failures, 5xx) with no answer between them:
        /// claim nothing but a probe at a bounded pace, spend no task's attempts.
        case down
        /// The provider says the quota or credit is spent: stop, or pause and probe slowly.
        case quota
    }

    public var state: State
    /// When the state began (the database's clock).
    public var since: Date
    /// Endpoint faults since the last answer.
    public var faults: Int
    /// The last fault's text, redacted (no key can be in it).
    public var lastError: String?
    /// Whether the statement that returned this changed the state (so its caller says so, once).
    public var changed: Bool

    public init(state: State = .up, since: Date = Date(), faults: Int = 0, lastError: String? = nil, changed: Bool = false) {
        self.state = state
        self.since = since
        self.faults = faults
        self.lastError = lastError
        self.changed = changed
    }
}
