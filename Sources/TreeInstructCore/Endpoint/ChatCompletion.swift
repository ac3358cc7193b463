/// A successful Chat Completions call: the text to validate and what it cost.
public struct ChatCompletion: Sendable, Hashable {
    public var content: String
    /// `stop`, `length` (cut at max_tokens: the validator reports `truncated`), `content_filter`
    /// (also used when the endpoint sent a structured-output refusal).
    public var finishReason: String?
    /// The model that answered, as the endpoint names it.
    public var model: String?
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var httpStatus: Int
    public var latency: Duration
    public var rateLimits: RateLimitHeaders

    public init(
        content: String, finishReason: String? = nil, model: String? = nil, promptTokens: Int? = nil,
        completionTokens: Int? = nil, httpStatus: Int = 200, latency: Duration = .zero,
        rateLimits: RateLimitHeaders = RateLimitHeaders { _ in nil }
    ) {
        (self.content, self.finishReason, self.model) = (content, finishReason, model)
        (self.promptTokens, self.completionTokens) = (promptTokens, completionTokens)
        (self.httpStatus, self.latency, self.rateLimits) = (httpStatus, latency, rateLimits)
    }
}
