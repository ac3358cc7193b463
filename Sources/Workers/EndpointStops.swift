import TreeInstructCore

/// The endpoint refused us in a way no retry fixes (bad key, unknown model): the worker stops.
public struct EndpointUnusable: Error, CustomStringConvertible {
    public let error: LLMError
    public var description: String { "the endpoint refuses every call (\(error)); check OPENAI_API_KEY, OPENAI_BASE_URL and the model" }
}

/// The provider says the quota or credit is spent: every worker stops until someone pays.
public struct QuotaExhausted: Error, CustomStringConvertible {
    /// The provider's words, redacted.
    public let detail: String
    public var description: String {
        "the endpoint says the quota is spent (\(detail)); add credit or raise the limit with the provider, then start the workers again (tasks kept their attempts; --on-quota pause waits instead)"
    }
}
