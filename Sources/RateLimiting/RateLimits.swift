/// A provider's limits for one endpoint and model, as the user configures them.
public struct RateLimits: Sendable, Hashable, Codable {
    public var requestsPerMinute: Double?
    public var tokensPerMinute: Double?
    /// How much of a minute's budget may be spent at once. Providers quantize per-minute limits
    /// to about a second; half a second stays safely inside that.
    public var burstSeconds: Double
    /// How the provider counts a call against tokens/min (default admission, as OpenAI does).
    public var tokenCharging: TokenCharging

    public init(
        requestsPerMinute: Double? = nil, tokensPerMinute: Double? = nil, burstSeconds: Double = 0.5,
        tokenCharging: TokenCharging = .admission
    ) {
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.burstSeconds = burstSeconds
        self.tokenCharging = tokenCharging
    }

    public var isUnlimited: Bool { requestsPerMinute == nil && tokensPerMinute == nil }

    /// The largest token cost one request can be granted at once.
    var tokenCapacity: Int? { tokensPerMinute.map { max(1, Int($0 * burstSeconds / 60)) } }
}

/// Where permits come from: memory for one process, PostgreSQL for a cluster.
public protocol RateBudget: Sendable {
    /// Up to `requests` and `tokens`; no tokens at all unless at least `minimumTokens` can be had,
    /// and the token level may rise to `minimumTokens` when that is more than a burst (a call
    /// larger than the burst waits for its whole cost instead of never getting it).
    func lease(requests: Int, tokens: Int, minimumTokens: Int) async throws -> Grant
    func adjust(_ adjustment: BudgetAdjustment) async throws
}

/// What a budget granted: up to what was asked, and how long to wait before asking again when
/// it granted less.
public struct Grant: Sendable, Hashable {
    public var requests: Int
    public var tokens: Int
    public var retryIn: Duration

    public init(requests: Int, tokens: Int, retryIn: Duration) {
        self.requests = requests
        self.tokens = tokens
        self.retryIn = retryIn
    }
}

/// Feedback from the endpoint into a budget.
public struct BudgetAdjustment: Sendable, Hashable {
    /// Grant nothing for this long (Retry-After, or a reset when the remaining budget is 0).
    public var pause: Duration = .zero
    /// Multiply the adaptive factor by this (< 1 slows down); applied at most every 2 s.
    public var cut: Double = 1
    /// Add this to the adaptive factor (probing back up; capped at 1).
    public var raise: Double = 0
    /// Tokens used beyond what was estimated (negative gives back).
    public var tokenDebt: Double = 0
    public var throttled = false
    /// When set, the limits the provider states below the configured ones, from now on the
    /// budget's limits (nil fields: no lower limit stated, the configured one holds).
    public var stated: StatedLimits?

    public init(
        pause: Duration = .zero, cut: Double = 1, raise: Double = 0, tokenDebt: Double = 0, throttled: Bool = false,
        stated: StatedLimits? = nil
    ) {
        self.pause = pause
        self.cut = cut
        self.raise = raise
        self.tokenDebt = tokenDebt
        self.throttled = throttled
        self.stated = stated
    }
}

/// Limits a provider states (`x-ratelimit-limit-*`) below the configured ones.
public struct StatedLimits: Sendable, Hashable {
    public var requestsPerMinute: Double?
    public var tokensPerMinute: Double?

    public init(requestsPerMinute: Double? = nil, tokensPerMinute: Double? = nil) {
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
    }

    /// The limit in force for one dimension: the stated one when lower, else the configured one
    /// (nil, unlimited, stays unlimited).
    static func effective(_ configured: Double?, _ stated: Double?) -> Double? {
        guard let configured else { return nil }
        return min(configured, stated ?? configured)
    }
}

/// How a provider counts a call against its tokens/min limit.
public enum TokenCharging: String, Sendable, Hashable, Codable, CaseIterable {
    /// At admission, the prompt plus max_tokens (when the request sets it), with nothing given
    /// back when the answer is shorter: OpenAI's documented behaviour.
    case admission
    /// The tokens the call used, prompt plus completion.
    case usage

    /// The tokens a call cost under this rule, from what the provider reported (the guess fills
    /// what it did not report); nil when it reported nothing.
    public func charged(_ guess: TokenGuess, promptTokens: Int?, completionTokens: Int?, maxTokens: Int?) -> Int? {
        guard promptTokens != nil || completionTokens != nil else { return nil }
        let prompt = promptTokens ?? guess.promptTokens
        switch self {
        case .admission: return prompt + (maxTokens ?? completionTokens ?? guess.completionTokens)
        case .usage: return prompt + (completionTokens ?? 0)
        }
    }
}
