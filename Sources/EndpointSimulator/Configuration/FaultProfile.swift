/// Which failures the simulator injects, so that a client's retry, timeout and validation
/// paths can be exercised on demand. Each rate is a probability per admitted request (drawn
/// after the rate-limit check, in the order of ``FaultKind/allCases``; rates summing past 1
/// starve the later kinds).
public struct FaultProfile: Sendable, Hashable, CustomStringConvertible {
    /// HTTP 500 with OpenAI's server_error body.
    public var serverError: Double
    /// HTTP 503, "overloaded".
    public var unavailable: Double
    /// Accept the request and answer nothing for ``hangDuration`` (then 504), or until the
    /// client goes away or the server shuts down.
    public var hang: Double
    /// 200 with a body that is not JSON or is cut off.
    public var malformed: Double
    /// 200 with a well-formed envelope whose content fails validation.
    public var invalidOutput: Double
    /// finish_reason "length" with the content cut.
    public var truncated: Double
    /// A refusal as the content.
    public var refusal: Double
    public var hangDuration: Duration
    /// When set, every chat completion request gets this HTTP status with an OpenAI error body
    /// (after authentication), for testing how a client classifies errors.
    public var fixedStatus: Int?
    /// Error bodies quote the request's Authorization header, as some gateways and debug servers
    /// do: a client must never store or print what comes back verbatim.
    public var echoesAuthorization: Bool
    /// When set, every chat completion is answered 429 `insufficient_quota`, as OpenAI answers
    /// an account whose credit ran out: not a rate limit, no wait helps.
    public var quotaExhausted: Bool
    /// When set, every chat completion in this window is answered 503 at once: an outage.
    public var outage: OutageWindow?

    public static let none = FaultProfile()

    public init(
        serverError: Double = 0, unavailable: Double = 0, hang: Double = 0, malformed: Double = 0,
        invalidOutput: Double = 0, truncated: Double = 0, refusal: Double = 0,
        hangDuration: Duration = .seconds(120), fixedStatus: Int? = nil, echoesAuthorization: Bool = false,
        quotaExhausted: Bool = false, outage: OutageWindow? = nil
    ) {
        self.serverError = serverError
        self.unavailable = unavailable
        self.hang = hang
        self.malformed = malformed
        self.invalidOutput = invalidOutput
        self.truncated = truncated
        self.refusal = refusal
        self.hangDuration = hangDuration
        self.fixedStatus = fixedStatus
        self.echoesAuthorization = echoesAuthorization
        self.quotaExhausted = quotaExhausted
        self.outage = outage
    }

    /// The rate of one kind.
    public func rate(of kind: FaultKind) -> Double {
        switch kind {
        case .serverError: serverError
        case .unavailable: unavailable
        case .hang: hang
        case .malformed: malformed
        case .invalidOutput: invalidOutput
        case .truncated: truncated
        case .refusal: refusal
        }
    }

    /// The fault for a uniform draw `unit` in 0..<1, or nil for a normal answer.
    func fault(forDraw unit: Double) -> FaultKind? {
        var threshold = 0.0
        for kind in FaultKind.allCases {
            threshold += min(max(rate(of: kind), 0), 1)
            if unit < threshold { return kind }
        }
        return nil
    }

    /// Rates outside 0...1 or a status that is not an HTTP error, as a sentence; nil when valid.
    public var problem: String? {
        if let bad = FaultKind.allCases.first(where: { !(0...1).contains(rate(of: $0)) }) {
            return "fault rate \(bad.rawValue) must be between 0 and 1, got \(rate(of: bad))"
        }
        if let fixedStatus, !(400...599).contains(fixedStatus) {
            return "fixed status must be an HTTP error status (400-599), got \(fixedStatus)"
        }
        if hangDuration < .zero { return "hang duration must not be negative" }
        if let outage, outage.after < .zero || outage.lasting < .zero { return "outage times must not be negative" }
        return nil
    }

    public var description: String {
        var parts = FaultKind.allCases.filter { rate(of: $0) > 0 }.map { "\($0.rawValue) \(rate(of: $0))" }
        if hang > 0 { parts.append("hang for \(hangDuration.milliseconds) ms") }
        if let fixedStatus { parts.append("every request \(fixedStatus)") }
        return "faults: " + parts.joined(separator: ", ")
    }
}

/// One kind of injected failure; the raw values name it in `/sim/stats`.
public enum FaultKind: String, Sendable, Hashable, CaseIterable {
    case serverError = "server_error_500"
    case unavailable = "unavailable_503"
    case hang
    case malformed
    case invalidOutput = "invalid_output"
    case truncated
    case refusal
}

/// A span of the simulator's life, counted from its start, in which it is down.
public struct OutageWindow: Sendable, Hashable {
    public var after: Duration
    public var lasting: Duration

    public init(after: Duration, lasting: Duration) {
        self.after = after
        self.lasting = lasting
    }

    func contains(_ sinceStart: Duration) -> Bool { sinceStart >= after && sinceStart < after + lasting }
}
