import RateLimiting
import TaskStore

/// A budget shared by every worker on every machine through one row of rate_budgets.
/// Workers lease permits in small batches, so the database sees one statement per batch, not
/// one per request.
public struct PostgresRateBudget: RateBudget {
    public let queue: QueueSchema
    public let key: String

    /// Declares the budget (creating it or updating its limits) and returns a handle on it.
    public static func declare(key: String, limits: RateLimits, queue: QueueSchema) async throws -> PostgresRateBudget {
        try await queue.budgets.declare(
            key: key, requestsPerMinute: limits.requestsPerMinute,
            tokensPerMinute: limits.tokensPerMinute, burstSeconds: limits.burstSeconds)
        return PostgresRateBudget(queue: queue, key: key)
    }

    public func lease(requests: Int, tokens: Int, minimumTokens: Int) async throws -> Grant {
        let stored = try await queue.budgets.lease(key: key, requests: requests, tokens: tokens, minimumTokens: minimumTokens)
        return Grant(requests: stored.requests, tokens: stored.tokens, retryIn: stored.retryIn)
    }

    public func adjust(_ adjustment: BudgetAdjustment) async throws {
        try await queue.budgets.adjust(
            key: key, pause: adjustment.pause, cut: adjustment.cut,
            raise: adjustment.raise, tokenDebt: adjustment.tokenDebt, throttled: adjustment.throttled,
            stated: adjustment.stated.map { ($0.requestsPerMinute, $0.tokensPerMinute) })
    }
}
