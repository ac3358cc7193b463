import PostgresNIO
import TreeInstructCore

extension RateBudgets {
    /// Creates the budget `key` or updates its limits (the latest worker's configuration wins;
    /// levels, factor and pauses are kept).
    public func declare(key: String, requestsPerMinute: Double?, tokensPerMinute: Double?, burstSeconds: Double) async throws {
        try await client.query(
            """
            INSERT INTO \(unescaped: s).rate_budgets (key, requests_per_minute, tokens_per_minute, burst_seconds)
            VALUES (\(key), \(requestsPerMinute), \(tokensPerMinute), \(burstSeconds))
            ON CONFLICT (key) DO UPDATE
            SET requests_per_minute = EXCLUDED.requests_per_minute, tokens_per_minute = EXCLUDED.tokens_per_minute,
                burst_seconds = EXCLUDED.burst_seconds
            """, logger: logger)
    }
}
