/// The request and token limits together, so a request is admitted only when both allow it
/// and takes from both at once.
struct RateLimiter: Sendable {
    private var requests: TokenBucket?
    private var tokens: TokenBucket?

    init(_ configuration: RateLimitConfiguration, now: Double) {
        requests = configuration.requestsPerMinute.map { TokenBucket(limitPerMinute: $0, burstSeconds: configuration.burstSeconds, now: now) }
        tokens = configuration.tokensPerMinute.map { TokenBucket(limitPerMinute: $0, burstSeconds: configuration.burstSeconds, now: now) }
    }

    var isUnlimited: Bool { requests == nil && tokens == nil }

    mutating func admit(tokenCost: Int, now: Double) -> RateLimitDecision {
        guard !isUnlimited else { return .admitted(RateLimitStatus()) }
        requests?.refill(now: now)
        tokens?.refill(now: now)
        if let tokens, tokenCost > tokens.limitPerMinute {
            return .tooLarge(
                RateLimitRejection(
                    limit: .tokens, limitValue: tokens.limitPerMinute, requested: tokenCost,
                    retryAfterSeconds: nil, status: status))
        }
        let cost = Double(tokenCost)
        let requestWait = requests?.wait(for: 1) ?? 0
        let tokenWait = tokens?.wait(for: cost) ?? 0
        guard requestWait == 0, tokenWait == 0 else {
            let byRequests = requestWait >= tokenWait
            let bucket = byRequests ? requests : tokens
            return .limited(
                RateLimitRejection(
                    limit: byRequests ? .requests : .tokens, limitValue: bucket?.limitPerMinute ?? 0,
                    requested: byRequests ? 1 : tokenCost,
                    retryAfterSeconds: max(requestWait, tokenWait), status: status))
        }
        requests?.take(1)
        tokens?.take(cost)
        return .admitted(status)
    }

    mutating func currentStatus(now: Double) -> RateLimitStatus {
        requests?.refill(now: now)
        tokens?.refill(now: now)
        return status
    }

    private var status: RateLimitStatus {
        RateLimitStatus(requests: requests?.status, tokens: tokens?.status)
    }
}

/// Both buckets as the headers report them; nil for a limit that is not configured.
struct RateLimitStatus: Sendable, Hashable {
    var requests: BucketStatus?
    var tokens: BucketStatus?
}

/// Why a request was turned away with 429.
struct RateLimitRejection: Sendable, Hashable {
    enum Limit: String, Sendable { case requests, tokens }
    var limit: Limit
    var limitValue: Int
    var requested: Int
    /// Nil when no wait helps: the request alone exceeds the per-minute limit.
    var retryAfterSeconds: Double?
    var status: RateLimitStatus
}

enum RateLimitDecision: Sendable, Hashable {
    case admitted(RateLimitStatus)
    case limited(RateLimitRejection)
    /// The request costs more tokens than a whole minute allows.
    case tooLarge(RateLimitRejection)
}
