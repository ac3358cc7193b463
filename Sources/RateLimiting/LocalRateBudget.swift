import TreeInstructCore

/// Token buckets in memory, for a single process (no database round trip per lease).
public actor LocalRateBudget: RateBudget {
    private let limits: RateLimits
    private var requestLevel = 0.0
    private var tokenLevel = 0.0
    private var factor = 1.0
    private var notBefore = ContinuousClock.now
    private var lastCut = ContinuousClock.now - .seconds(3600)
    private var updated = ContinuousClock.now
    private var stated = StatedLimits()

    public init(limits: RateLimits) {
        self.limits = limits
    }

    public func lease(requests: Int, tokens: Int, minimumTokens: Int) -> Grant {
        let now = ContinuousClock.now
        let elapsed = (now - updated).inSeconds
        updated = now
        let requestRate = StatedLimits.effective(limits.requestsPerMinute, stated.requestsPerMinute).map { $0 * factor / 60 }
        let tokenRate = StatedLimits.effective(limits.tokensPerMinute, stated.tokensPerMinute).map { $0 * factor / 60 }
        if let requestRate { requestLevel = min(requestRate * limits.burstSeconds, requestLevel + elapsed * requestRate) }
        if let tokenRate {
            tokenLevel = min(max(tokenRate * limits.burstSeconds, Double(minimumTokens)), tokenLevel + elapsed * tokenRate)
        }
        guard now >= notBefore else { return Grant(requests: 0, tokens: 0, retryIn: notBefore - now) }
        let grantedRequests = requestRate == nil ? requests : min(requests, max(0, Int(requestLevel.rounded(.down))))
        let available = max(0, Int(tokenLevel.rounded(.down)))
        let grantedTokens = tokenRate == nil ? tokens : available < minimumTokens ? 0 : min(tokens, available)
        if requestRate != nil { requestLevel -= Double(grantedRequests) }
        if tokenRate != nil { tokenLevel -= Double(grantedTokens) }
        var wait = 0.0
        if let requestRate, grantedRequests < requests { wait = max(wait, (1 - requestLevel) / requestRate) }
        if let tokenRate, grantedTokens < tokens {
            let short = grantedTokens == 0 && minimumTokens > 0 ? Double(minimumTokens) - tokenLevel : Double(tokens - grantedTokens) - tokenLevel
            wait = max(wait, short / tokenRate)
        }
        return Grant(requests: grantedRequests, tokens: grantedTokens, retryIn: .seconds(wait))
    }

    public func adjust(_ adjustment: BudgetAdjustment) {
        let now = ContinuousClock.now
        notBefore = max(notBefore, now + adjustment.pause)
        if adjustment.cut < 1, now - lastCut > .seconds(2) {
            factor *= adjustment.cut
            lastCut = now
        }
        factor = min(1, max(0.05, factor + adjustment.raise))
        tokenLevel -= adjustment.tokenDebt
        if let newStated = adjustment.stated { stated = newStated }
    }

    /// The adaptive share of the configured limits now in force.
    public var currentFactor: Double { factor }
}
