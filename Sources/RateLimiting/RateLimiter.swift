import Logging

/// Paces LLM calls to a budget: callers `acquire` a permit before each call (waiting as long
/// as the budget says) and `finish` it after, reporting what the endpoint said.
///
/// Waiters are served first come, first served, from permits leased in small batches. The
/// limiter adapts: a 429 pauses everyone for Retry-After and cuts the rate by a tenth; a
/// provider limit (`x-ratelimit-limit-*`) below the configured one becomes the budget's limit
/// (for every worker sharing it, until the provider states another); an
/// exhausted `x-ratelimit-remaining-*` in a dimension we have no limit for pauses until its
/// reset (where we have one, our own pacing already keeps us inside it, and running the
/// provider's bucket down to zero is what full use looks like); every 20 successes probe the
/// rate back up by 2%. (A stray 429 then costs a few seconds at 90%, not minutes at 75%; a
/// limit really lower than configured still brings the rate down within seconds, as cuts
/// repeat every 2 s while 429s keep coming.) Estimated tokens are reconciled with the real
/// usage afterwards.
public actor RateLimiter {
    /// A right to make one call, holding the tokens it was estimated to need.
    public struct Permit: Sendable, Hashable {
        public let estimatedTokens: Int
    }

    /// How a call went, for the limiter's adaptation.
    public enum Outcome: Sendable {
        case answered(RateLimitSignals)
        case throttled(retryAfter: Duration?)
        case failed
    }

    /// The share of the rate kept after a 429.
    public static let throttleCut = 0.9

    private let budget: any RateBudget
    private let limits: RateLimits
    private let logger: Logger
    private let maxBatch: Int
    private var cachedRequests = 0
    private var cachedTokens = 0
    private var waiters: [(id: Int, tokens: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextWaiterID = 0
    private var wake: CheckedContinuation<Void, Never>?
    private var successes = 0
    private var pendingDebt = 0.0
    /// The provider's stated limits as this limiter last wrote them to the budget (nil: not yet).
    private var knownStated: StatedLimits?
    /// Calls made since start, and how many were throttled: for metrics and benchmarks.
    public private(set) var granted = 0
    public private(set) var throttled = 0

    /// How the provider counts tokens, for the caller's report of what a call cost.
    public nonisolated var tokenCharging: TokenCharging { limits.tokenCharging }

    public init(budget: any RateBudget, limits: RateLimits, maxBatch: Int = 4, logger: Logger = Logger(label: "treeinstruct.ratelimit")) {
        self.budget = budget
        self.limits = limits
        self.maxBatch = max(1, maxBatch)
        self.logger = logger
    }

    /// Waits until the budget allows one call of about `estimatedTokens` tokens.
    /// Throws CancellationError if the calling task is cancelled while waiting.
    public func acquire(estimatedTokens: Int) async throws -> Permit {
        // A call larger than the burst still waits for all of its tokens: the budget lets its
        // level rise to what the first waiter needs (see RateBudget.lease), as a provider's bucket
        // admits it only when it holds as much.
        let permit = Permit(estimatedTokens: estimatedTokens)
        if limits.isUnlimited { granted += 1; return permit }
        if waiters.isEmpty, cachedRequests >= 1 || limits.requestsPerMinute == nil,
            cachedTokens >= estimatedTokens || limits.tokensPerMinute == nil
        {
            take(estimatedTokens)
            return permit
        }
        try Task.checkCancellation()
        let id = nextWaiterID
        nextWaiterID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiters.append((id, estimatedTokens, continuation))
                wake?.resume()
                wake = nil
            }
        } onCancel: {
            // A cancellation handler cannot touch the actor's state; this task only hops onto it.
            Task { await self.cancelWaiter(id) }
        }
        return permit
    }

    /// Reports how the call made under `permit` went, and what it cost in tokens as the
    /// provider counts them (`actualTokens`; nil when the provider did not say).
    public func finish(_ permit: Permit, actualTokens: Int?, outcome: Outcome) async {
        // What the call cost beyond what its permit took (negative: less). Without a report, the
        // estimate stands in for the cost, so a call larger than a burst is still paid in full.
        pendingDebt += Double((actualTokens ?? permit.estimatedTokens) - permit.estimatedTokens)
        var adjustment: BudgetAdjustment?
        switch outcome {
        case .throttled(let retryAfter):
            throttled += 1
            cachedRequests = 0
            adjustment = BudgetAdjustment(pause: retryAfter ?? .seconds(1), cut: Self.throttleCut, throttled: true)
        case .answered(let signals):
            successes += 1
            adjustment = adapt(to: signals)
        case .failed:
            break
        }
        if adjustment == nil, abs(pendingDebt) >= Double(max(200, (limits.tokenCapacity ?? 0) / 20)) {
            adjustment = BudgetAdjustment()
        }
        guard var adjustment,
            limits.tokensPerMinute != nil || adjustment.pause > .zero || adjustment.cut < 1 || adjustment.raise > 0
                || adjustment.stated != nil
        else {
            return
        }
        adjustment.tokenDebt = limits.tokensPerMinute == nil ? 0 : pendingDebt
        pendingDebt = 0
        do {
            try await budget.adjust(adjustment)
        } catch {
            logger.warning("rate budget adjustment failed", metadata: ["error": "\(error)"])
        }
    }

    /// How far the rate is probed back up after a cut, every 20 successes (never past the
    /// configured limit, or the provider's stated one when lower).
    static let probeRaise = 0.02

    private func adapt(to signals: RateLimitSignals) -> BudgetAdjustment? {
        if let stated = statedChange(signals) {
            return BudgetAdjustment(stated: stated)
        }
        let exhaustedUnlimited =
            (signals.remainingRequests == 0 && limits.requestsPerMinute == nil)
            || (signals.remainingTokens == 0 && limits.tokensPerMinute == nil)
        if exhaustedUnlimited, let reset = signals.reset, reset > .zero {
            return BudgetAdjustment(pause: reset)
        }
        return successes % 20 == 0 ? BudgetAdjustment(raise: Self.probeRaise) : nil
    }

    /// The stated limits when they differ from what this limiter last wrote: a limit below the
    /// configured one becomes the cluster's (kept in the budget, so every worker keeps to it and
    /// probing never climbs past it) until the provider states another. A dimension whose header
    /// is missing keeps what was known.
    private func statedChange(_ signals: RateLimitSignals) -> StatedLimits? {
        func below(_ configured: Double?, _ header: Int?, _ known: Double?) -> Double? {
            guard let configured else { return nil }
            guard let header else { return known }
            return Double(header) < configured * 0.99 ? Double(header) : nil
        }
        guard (limits.requestsPerMinute != nil && signals.limitRequests != nil) || (limits.tokensPerMinute != nil && signals.limitTokens != nil)
        else { return nil }
        let fresh = StatedLimits(
            requestsPerMinute: below(limits.requestsPerMinute, signals.limitRequests, knownStated?.requestsPerMinute),
            tokensPerMinute: below(limits.tokensPerMinute, signals.limitTokens, knownStated?.tokensPerMinute))
        guard fresh != knownStated else { return nil }
        let before = knownStated
        knownStated = fresh
        if fresh.requestsPerMinute != nil || fresh.tokensPerMinute != nil {
            logger.warning(
                "the endpoint states a lower limit than configured; the cluster keeps to it until the endpoint states another",
                metadata: [
                    "stated_rpm": "\(fresh.requestsPerMinute.map { "\(Int($0))" } ?? "-")",
                    "stated_tpm": "\(fresh.tokensPerMinute.map { "\(Int($0))" } ?? "-")",
                    "configured_rpm": "\(limits.requestsPerMinute.map { "\(Int($0))" } ?? "-")",
                    "configured_tpm": "\(limits.tokensPerMinute.map { "\(Int($0))" } ?? "-")",
                ])
        } else if before != nil {
            logger.notice("the endpoint no longer states a limit below the configured one; back to the configured limits")
        }
        return fresh
    }

    private func take(_ tokens: Int) {
        if limits.requestsPerMinute != nil { cachedRequests -= 1 }
        if limits.tokensPerMinute != nil { cachedTokens -= tokens }
        granted += 1
    }

    private func serveWaiters() {
        while let first = waiters.first,
            limits.requestsPerMinute == nil || cachedRequests >= 1,
            limits.tokensPerMinute == nil || cachedTokens >= first.tokens
        {
            waiters.removeFirst()
            take(first.tokens)
            first.continuation.resume()
        }
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }

    /// The refill loop: leases permits from the budget while anyone waits, and sleeps until
    /// someone does. Run it beside the calls that acquire permits (the worker does), for as long
    /// as they may: without it a limited `acquire` waits forever. Waiters left when it is
    /// cancelled are cancelled too.
    public func run() async {
        while !Task.isCancelled {
            if waiters.isEmpty {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { wake = $0 }
                } onCancel: {
                    // As in `acquire`: the handler only hops onto the actor to end the wait.
                    Task { await self.endWait() }
                }
            } else {
                await refill()
            }
        }
        for waiter in waiters { waiter.continuation.resume(throwing: CancellationError()) }
        waiters.removeAll()
    }

    private func endWait() {
        wake?.resume()
        wake = nil
    }

    /// Leases permits while anyone waits.
    private func refill() async {
        while !Task.isCancelled {
            serveWaiters()
            guard let next = waiters.first else { return }
            let batch = waiters.prefix(maxBatch)
            let wantRequests = limits.requestsPerMinute == nil ? 0 : max(0, batch.count - cachedRequests)
            let wantTokens = limits.tokensPerMinute == nil ? 0 : max(0, batch.reduce(0) { $0 + $1.tokens } - cachedTokens)
            var wait = 0.05
            do {
                // Tokens come whole for the first waiter at least: a part of its need, stranded in
                // one worker's cache while others hold other parts, would serve nobody.
                let grant = try await budget.lease(
                    requests: wantRequests, tokens: wantTokens, minimumTokens: min(wantTokens, max(0, next.tokens - cachedTokens)))
                cachedRequests += grant.requests
                cachedTokens += grant.tokens
                wait = grant.retryIn.inSeconds
            } catch {
                logger.warning("rate budget lease failed; retrying in 1 s", metadata: ["error": "\(error)"])
                wait = 1
            }
            serveWaiters()
            guard let first = waiters.first else { return }
            // Ask again when the first waiter could be served, not when the whole batch could:
            // a bucket left to fill past its capacity loses what overflows.
            var firstWait = 0.0
            if let rate = limits.requestsPerMinute.map({ $0 / 60 }), cachedRequests < 1 { firstWait = max(firstWait, 1 / rate) }
            if let rate = limits.tokensPerMinute.map({ $0 / 60 }), cachedTokens < first.tokens {
                firstWait = max(firstWait, Double(first.tokens - cachedTokens) / rate)
            }
            wait = min(wait, max(firstWait, 0.01))
            try? await Task.sleep(for: .seconds(min(1, max(0.005, wait))))
        }
    }
}

/// What an answer's headers said about the provider's budget.
public struct RateLimitSignals: Sendable, Hashable {
    public var limitRequests: Int?
    public var limitTokens: Int?
    public var remainingRequests: Int?
    public var remainingTokens: Int?
    /// Time until the exhausted budget resets.
    public var reset: Duration?

    public init(
        limitRequests: Int? = nil, limitTokens: Int? = nil, remainingRequests: Int? = nil, remainingTokens: Int? = nil,
        reset: Duration? = nil
    ) {
        self.limitRequests = limitRequests
        self.limitTokens = limitTokens
        self.remainingRequests = remainingRequests
        self.remainingTokens = remainingTokens
        self.reset = reset
    }
}
