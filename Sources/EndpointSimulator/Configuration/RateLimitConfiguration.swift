/// Per-minute request and token limits, enforced like providers do: token buckets refilled
/// continuously at limit/60 per second, holding at most limit × burstSeconds/60, so a
/// "600 RPM" endpoint allows about 10 requests in any one second, not 600 at once.
public struct RateLimitConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// How `Retry-After` is written on a 429.
    public enum RetryAfterFormat: String, Sendable, Hashable {
        /// Whole seconds, rounded up (what OpenAI sends).
        case seconds
        /// An HTTP-date (RFC 9110 IMF-fixdate), which some proxies send instead.
        case httpDate
    }

    public var requestsPerMinute: Int?
    /// Tokens per minute; a request costs its estimated prompt tokens (Unicode scalars / 4,
    /// rounded up) plus, with `chargesMaxTokens`, max_tokens when given, else its completion's tokens.
    public var tokensPerMinute: Int?
    /// Charge max_tokens at admission, with nothing given back for a shorter answer, as OpenAI
    /// documents for its limiter (default true); false charges the completion's real tokens.
    public var chargesMaxTokens: Bool
    /// Bucket capacity in seconds of refill (default 1).
    public var burstSeconds: Double
    public var retryAfterFormat: RetryAfterFormat

    public static let unlimited = RateLimitConfiguration()

    public init(
        requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil, burstSeconds: Double = 1,
        retryAfterFormat: RetryAfterFormat = .seconds, chargesMaxTokens: Bool = true
    ) {
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.burstSeconds = burstSeconds
        self.retryAfterFormat = retryAfterFormat
        self.chargesMaxTokens = chargesMaxTokens
    }

    public var description: String {
        var limits: [String] = []
        if let requestsPerMinute { limits.append("\(requestsPerMinute) requests/min") }
        if let tokensPerMinute { limits.append("\(tokensPerMinute) tokens/min") }
        return limits.isEmpty ? "no rate limits" : limits.joined(separator: " and ") + " (burst \(burstSeconds) s)"
    }
}
