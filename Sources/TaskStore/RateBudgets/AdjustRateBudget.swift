import PostgresNIO
import TreeInstructCore

extension RateBudgets {
    /// Feeds what the endpoint said back into budget `key`, for every worker at once:
    /// `pause` holds all grants back (Retry-After); `cut` multiplies the adaptive factor
    /// (at most once per `cutSpacing`, so one burst of 429s is one cut); `raise` adds
    /// to it (probing back up, capped at 1); `tokenDebt` charges tokens used beyond what was
    /// leased (negative: returns unused ones); `stated`, when given, replaces the provider's
    /// stated limits (nil fields: none below the configured ones).
    public func adjust(
        key: String, pause: Duration = .zero, cut: Double = 1, cutSpacing: Duration = .seconds(2),
        raise: Double = 0, tokenDebt: Double = 0, throttled: Bool = false,
        stated: (requestsPerMinute: Double?, tokensPerMinute: Double?)? = nil
    ) async throws {
        let setStated = stated != nil
        try await client.query(
            """
            UPDATE \(unescaped: s).rate_budgets
            SET not_before = greatest(not_before, clock_timestamp() + make_interval(secs => \(pause.inSeconds))),
                factor = least(1, greatest(0.05,
                    CASE WHEN \(cut) < 1 AND last_cut_at < clock_timestamp() - make_interval(secs => \(cutSpacing.inSeconds))
                         THEN factor * \(cut) ELSE factor END + \(raise))),
                last_cut_at = CASE WHEN \(cut) < 1 AND last_cut_at < clock_timestamp() - make_interval(secs => \(cutSpacing.inSeconds))
                                   THEN clock_timestamp() ELSE last_cut_at END,
                token_level = token_level - \(tokenDebt),
                throttled_responses = throttled_responses + CASE WHEN \(throttled) THEN 1 ELSE 0 END,
                stated_requests_per_minute = CASE WHEN \(setStated) THEN \(stated?.requestsPerMinute)::float8
                                                  ELSE stated_requests_per_minute END,
                stated_tokens_per_minute = CASE WHEN \(setStated) THEN \(stated?.tokensPerMinute)::float8
                                                ELSE stated_tokens_per_minute END,
                stated_at = CASE WHEN \(setStated) THEN clock_timestamp() ELSE stated_at END
            WHERE key = \(key)
            """, logger: logger)
    }
}
