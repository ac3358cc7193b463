import Logging

/// Paces LLM calls to a budget: callers `acquire` a permit before each call (waiting as long
/// as the budget says) and `finish` it after, reporting what the endpoint said.
///
/// Waiters are served first come, first served, from permits leased in small batches. The
/// limiter adapts: a 429 pauses everyone for Retry-After and cuts the rate by a quarter; an
/// exhausted `x-ratelimit-remaining-*` pauses until its reset; every 50 successes probe the rate
/// back up by 2%. Estimated tokens are reconciled with the real usage afterwards.
public actor RateLimiter {
    /// A right to make one call, holding the tokens it was estimated to need.
    public struct Permit: Sendable, Hashable {
        public let estimatedTokens: Int
    }

    /// How a call went, for the limiter's adaptation.
    public enum Outcome: Sendable {
        case answered(remainingRequests: Int?, remainingTokens: Int?, resetSeconds: Double?)
        case throttled(retryAfterSeconds: Double?)
        case failed
    }

    private let budget: any RateBudget
    private let limits: RateLimits
    private let logger: Logger
    private let maxBatch: Int
    private var cachedRequests = 0
    private var cachedTokens = 0
    private var waiters: [(id: Int, tokens: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextWaiterID = 0
    private var refilling = false
    private var successes = 0
    private var pendingDebt = 0.0
    /// Calls made since start, and how many were throttled: for metrics and benchmarks.
    public private(set) var granted = 0
    public private(set) var throttled = 0

    public init(budget: any RateBudget, limits: RateLimits, maxBatch: Int = 4, logger: Logger = Logger(label: "treeinstruct.ratelimit")) {
        self.budget = budget
        self.limits = limits
        self.maxBatch = max(1, maxBatch)
        self.logger = logger
    }

    /// Waits until the budget allows one call of about `estimatedTokens` tokens.
    /// Throws CancellationError if the calling task is cancelled while waiting.
    public func acquire(estimatedTokens: Int) async throws -> Permit {
        let tokens = limits.tokenCapacity.map { min(estimatedTokens, $0) } ?? estimatedTokens
        let permit = Permit(estimatedTokens: estimatedTokens)
        if limits.isUnlimited { granted += 1; return permit }
        if waiters.isEmpty, cachedRequests >= 1 || limits.requestsPerMinute == nil, cachedTokens >= tokens || limits.tokensPerMinute == nil {
            take(tokens)
            return permit
        }
        try Task.checkCancellation()
        let id = nextWaiterID
        nextWaiterID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiters.append((id, tokens, continuation))
                if !refilling {
                    refilling = true
                    Task { await refill() }
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
        return permit
    }

    /// Reports how the call made under `permit` went.
    public func finish(_ permit: Permit, actualTokens: Int?, outcome: Outcome) async {
        if let actualTokens { pendingDebt += Double(actualTokens - permit.estimatedTokens) }
        var adjustment: BudgetAdjustment?
        switch outcome {
        case .throttled(let retryAfter):
            throttled += 1
            cachedRequests = 0
            adjustment = BudgetAdjustment(pauseSeconds: retryAfter ?? 1, cut: 0.75, throttled: true)
        case .answered(let remainingRequests, let remainingTokens, let reset):
            successes += 1
            if remainingRequests == 0 || remainingTokens == 0, let reset, reset > 0 {
                adjustment = BudgetAdjustment(pauseSeconds: reset)
            } else if successes % 50 == 0 {
                adjustment = BudgetAdjustment(raise: 0.02)
            }
        case .failed:
            break
        }
        if adjustment == nil, abs(pendingDebt) >= Double(max(1000, (limits.tokenCapacity ?? 0) / 10)) {
            adjustment = BudgetAdjustment()
        }
        guard var adjustment, limits.tokensPerMinute != nil || adjustment.pauseSeconds > 0 || adjustment.cut < 1 || adjustment.raise > 0 else { return }
        adjustment.tokenDebt = limits.tokensPerMinute == nil ? 0 : pendingDebt
        pendingDebt = 0
        do {
            try await budget.adjust(adjustment)
        } catch {
            logger.warning("rate budget adjustment failed", metadata: ["error": "\(error)"])
        }
    }

    private func take(_ tokens: Int) {
        if limits.requestsPerMinute != nil { cachedRequests -= 1 }
        if limits.tokensPerMinute != nil { cachedTokens -= tokens }
        granted += 1
    }

    private func serveWaiters() {
        while let first = waiters.first,
              limits.requestsPerMinute == nil || cachedRequests >= 1,
              limits.tokensPerMinute == nil || cachedTokens >= first.tokens {
            waiters.removeFirst()
            take(first.tokens)
            first.continuation.resume()
        }
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }

    /// Leases permits while anyone waits; one refill loop at a time.
    private func refill() async {
        defer { refilling = false }
        while true {
            serveWaiters()
            guard !waiters.isEmpty else { return }
            let batch = waiters.prefix(maxBatch)
            let wantRequests = limits.requestsPerMinute == nil ? 0 : max(0, batch.count - cachedRequests)
            let wantTokens = limits.tokensPerMinute == nil ? 0 : max(0, batch.reduce(0) { $0 + $1.tokens } - cachedTokens)
            var wait = 0.05
            do {
                let grant = try await budget.lease(requests: wantRequests, tokens: wantTokens)
                cachedRequests += grant.requests
                cachedTokens += grant.tokens
                wait = grant.retryInSeconds
            } catch {
                logger.warning("rate budget lease failed; retrying in 1 s", metadata: ["error": "\(error)"])
                wait = 1
            }
            serveWaiters()
            guard !waiters.isEmpty else { return }
            try? await Task.sleep(for: .milliseconds(Int64(min(1, max(0.005, wait)) * 1000)))
        }
    }
}
