import PostgresNIO
import TreeInstructCore

extension RateBudgets {
    /// Atomically refills budget `key` by the time elapsed (database clock), at its configured
    /// limits or the provider's stated ones when lower, and takes up to
    /// `requests` requests and `tokens` tokens from it, but no tokens at all unless at least
    /// `minimumTokens` are there (a part too small to use would be stranded), the level rising to
    /// `minimumTokens` when that is more than a burst (a call larger than the burst). An unlimited
    /// dimension grants in full.
    /// Returns what was granted, and how long to wait before asking again when it was less.
    public func lease(key: String, requests: Int, tokens: Int, minimumTokens: Int = 0) async throws -> (requests: Int, tokens: Int, retryIn: Duration)
    {
        let rows = try await client.query(
            """
            WITH locked AS (
                -- The limits in force: the configured ones, or the provider's stated ones when lower.
                SELECT key, not_before, request_level, token_level, updated_at, factor, burst_seconds,
                       CASE WHEN requests_per_minute IS NOT NULL
                            THEN least(requests_per_minute, stated_requests_per_minute) END AS rpm,
                       CASE WHEN tokens_per_minute IS NOT NULL
                            THEN least(tokens_per_minute, stated_tokens_per_minute) END AS tpm
                FROM \(unescaped: s).rate_budgets
                WHERE key = \(key)
                FOR UPDATE
            ), current AS (
                SELECT key, not_before,
                       rpm * factor / 60 AS request_rate,
                       tpm * factor / 60 AS token_rate,
                       least(rpm * factor * burst_seconds / 60,
                             request_level + extract(epoch FROM clock_timestamp() - updated_at) * rpm * factor / 60)
                           AS request_level,
                       least(greatest(tpm * factor * burst_seconds / 60, \(minimumTokens)),
                             token_level + extract(epoch FROM clock_timestamp() - updated_at) * tpm * factor / 60)
                           AS token_level
                FROM locked
            ), granted AS (
                SELECT key, request_level, token_level, request_rate, token_rate, not_before,
                       CASE WHEN clock_timestamp() < not_before THEN 0
                            WHEN request_rate IS NULL THEN \(requests)
                            ELSE least(\(requests), greatest(0, floor(request_level)))::int END AS requests,
                       CASE WHEN clock_timestamp() < not_before THEN 0
                            WHEN token_rate IS NULL THEN \(tokens)
                            WHEN floor(token_level) < \(minimumTokens) THEN 0
                            ELSE least(\(tokens), greatest(0, floor(token_level)))::int END AS tokens
                FROM current
            ), updated AS (
                UPDATE \(unescaped: s).rate_budgets b
                SET request_level = coalesce(g.request_level - g.requests, 0),
                    token_level = coalesce(g.token_level - g.tokens, 0),
                    updated_at = clock_timestamp(),
                    granted_requests = b.granted_requests + g.requests
                FROM granted g
                WHERE b.key = g.key
            )
            SELECT requests, tokens,
                   greatest(extract(epoch FROM not_before - clock_timestamp()),
                            CASE WHEN request_rate IS NULL OR requests >= \(requests) THEN 0
                                 ELSE (1 - (request_level - requests)) / request_rate END,
                            CASE WHEN token_rate IS NULL OR tokens >= \(tokens) THEN 0
                                 -- Nothing granted: ask again the moment the minimum is there.
                                 WHEN tokens = 0 AND \(minimumTokens) > 0 THEN (\(minimumTokens) - token_level) / token_rate
                                 ELSE (\(tokens) - tokens - (token_level - tokens)) / token_rate END,
                            0)::float8
            FROM granted
            """, logger: logger)
        for try await (requests, tokens, wait) in rows.decode((Int, Int, Double).self) {
            return (requests, tokens, .seconds(wait))
        }
        throw StoreInvariantViolated(message: "rate budget \(key) was not declared")
    }
}
