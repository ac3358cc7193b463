/// How many LLM calls to keep in flight when the server's capacity is unknown (`--concurrency
/// auto`): grows while latency stays flat, shrinks when it climbs or calls time out, the way
/// Netflix's gradient limiter and Envoy's adaptive concurrency do.
///
/// It starts as TCP does: from one call it doubles each window until the first window that
/// shows clear queueing (a gradient under 0.6: doubling the calls on a full server doubles the
/// latency, while answers of varying length do not move a window's mean that far), an overload
/// or a bound, so a server with room is filled within a few latencies. Samples are taken in
/// windows of `max(4, limit)` answered calls. Each window compares its
/// mean latency with the baseline, the latency without queueing: gradient = (baseline + slack)
/// / mean, between 0.5 and 1. The new limit is `limit × gradient + headroom` (headroom 1 below
/// 8 calls, √limit above), taken at once when it grows and halfway when it shrinks. On a server
/// that answers one call at a time, two calls in flight double the latency, so the limit
/// settles at 1–2; on a server with room, the latency stays flat and the limit climbs to `maximum`.
///
/// The baseline is the lowest window mean seen, and it is measured again whenever queueing is
/// suspected: after three windows in a row with a gradient under 0.9, one window runs at half
/// the limit, and its mean becomes the baseline. So answers that get longer (a later round, the
/// respond stage) are learnt as the new normal within a few windows instead of being taken for
/// queueing, and a server that really queues shows it again at half the load.
///
/// A timeout or an overload answer (503) halves the limit at once. A window does not grow the
/// limit when most of its calls waited for rate budget (the budget, not the server, is the
/// bound) or when fewer than half the slots were in use (nothing to learn about more).
///
/// Only calls started after the last change of the slots count: a call started under the old
/// limit tells about the old limit (a probe window must see half the load, and one burst of
/// timeouts halves the limit once, not once per call).
public struct AdaptiveConcurrency: Sendable {
    /// What one call told about the server.
    public struct Sample: Sendable {
        public enum Outcome: Sendable {
            /// An answer (valid or not): its latency is a measurement.
            case answered
            /// Timed out, or the server said it is overloaded (503).
            case overloaded
            /// Anything else (refused key, outage, bad request): says nothing about load.
            case other
        }
        /// When the call started (after any wait for rate budget).
        public var started: ContinuousClock.Instant
        public var latency: Duration
        public var outcome: Outcome
        /// Whether the call first waited for rate budget.
        public var waitedForBudget: Bool
        /// Tasks the worker held when it returned, itself included: calls out and outcomes being
        /// written (the worker fills it in).
        public var inFlight: Int

        public init(
            started: ContinuousClock.Instant, latency: Duration, outcome: Outcome, waitedForBudget: Bool = false, inFlight: Int = 1
        ) {
            self.started = started
            self.latency = latency
            self.outcome = outcome
            self.waitedForBudget = waitedForBudget
            self.inFlight = inFlight
        }
    }

    /// The most calls it will allow (`--max-concurrency`, default 128).
    public let maximum: Int
    /// Latency differences below this are noise, not queueing (default 25 ms): on a server that
    /// answers in a millisecond, our own scheduling varies more than that.
    public let slack: Duration
    /// The limit learnt so far; during a probe window fewer slots are open.
    public private(set) var limit: Double
    private var baseline: Double?
    private var window = Window()
    private var queuedWindows = 0
    private var probing = false
    private var slowStart = true
    /// When the slots last changed; calls started before it are not counted.
    private var changedAt: ContinuousClock.Instant?

    private struct Window {
        var answered = 0
        var latencySeconds = 0.0
        var waitedForBudget = 0
        var busy = 0
    }

    /// Starts at `initial` calls (default 1: a one-slot server is never flooded while it learns).
    public init(maximum: Int = 128, initial: Int = 1, slack: Duration = .milliseconds(25)) {
        self.maximum = max(1, maximum)
        self.slack = slack
        self.limit = Double(min(max(1, initial), self.maximum))
    }

    /// Calls allowed in flight now.
    public var slots: Int { max(1, Int(probing ? limit / 2 : limit)) }

    /// Takes one call's sample; returns the new number of slots when it changed.
    public mutating func record(_ sample: Sample) -> Int? {
        if let changedAt, sample.started < changedAt { return nil }
        let before = slots
        defer { if slots != before { changedAt = sample.started + sample.latency } }
        switch sample.outcome {
        case .other:
            return nil
        case .overloaded:
            limit = max(1, limit / 2)
            window = Window()
            probing = false
            slowStart = false
        case .answered:
            window.answered += 1
            window.latencySeconds += sample.latency.inSeconds
            if sample.waitedForBudget { window.waitedForBudget += 1 }
            if Double(sample.inFlight) >= Double(slots) / 2 { window.busy += 1 }
            if window.answered >= max(4, slots) { closeWindow() }
        }
        return slots == before ? nil : slots
    }

    private mutating func closeWindow() {
        let mean = window.latencySeconds / Double(window.answered)
        defer { window = Window() }
        if probing {
            probing = false
            queuedWindows = 0
            baseline = mean
            return
        }
        let floor = min(baseline ?? mean, mean)
        baseline = floor
        let gradient = min(1, max(0.5, (floor + slack.inSeconds) / max(mean, 1e-9)))
        queuedWindows = gradient < 0.9 ? queuedWindows + 1 : 0
        let headroom = limit < 8 ? 1 : limit.squareRoot()
        let mayGrow = window.waitedForBudget * 2 <= window.answered && window.busy * 2 > window.answered
        if slowStart {
            guard gradient >= 0.6, mayGrow else {
                slowStart = false
                return
            }
            limit = min(Double(maximum), limit * 2)
            return
        }
        let proposed = min(Double(maximum), limit * gradient + headroom)
        if proposed < limit {
            limit = max(1, (limit + proposed) / 2)
        } else if mayGrow {
            limit = proposed
        }
        if queuedWindows >= 3, limit >= 2 { probing = true }
    }
}
