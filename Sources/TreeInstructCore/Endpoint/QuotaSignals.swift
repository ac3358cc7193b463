/// How providers say that the money, not the rate, ran out. A 429 that carries one of these is
/// not a rate limit: waiting does not help, paying does.
enum QuotaSignals {
    /// Error codes or types: OpenAI (`insufficient_quota`, `billing_hard_limit_reached`,
    /// `billing_not_active`), Azure and Google (`quota_exceeded`, `RESOURCE_EXHAUSTED` with a
    /// quota message is told by its message), gateways that pass them on.
    static let codes: Set<String> = [
        "insufficient_quota", "billing_hard_limit_reached", "billing_not_active", "quota_exceeded",
        "insufficient_balance", "credit_balance_too_low", "payment_required",
    ]

    /// Phrases of the messages that come without such a code.
    static let phrases = [
        "exceeded your current quota", "insufficient quota", "insufficient_quota", "check your plan and billing",
        "credit balance is too low", "out of credits", "billing hard limit", "insufficient balance",
    ]

    static func isQuota(errorCode: String?, message: String) -> Bool {
        if let errorCode, codes.contains(errorCode.lowercased()) { return true }
        let lowered = message.lowercased()
        return phrases.contains { lowered.contains($0) }
    }
}
