/// What the simulator answers one parsed chat request before any fault: the content, cut to
/// max_tokens as a model stops, and its token counts. One place, so the live endpoint and the
/// Batch API answer the same body with the same completion under the same seed.
struct PlannedAnswer: Sendable {
    let builder: AnswerBuilder
    var content: String
    var finishReason: String
    let promptTokens: Int
    var completionTokens: Int
    /// Whether max_tokens cut the answer (finish_reason "length").
    let cutByMaxTokens: Bool

    init(_ request: ChatCompletionRequest, seed: UInt64) {
        builder = AnswerBuilder(messages: request.messages, seed: seed, wantsJSON: request.responseFormat.wantsJSON)
        content = builder.answer()
        promptTokens = TokenEstimate.of(request.messages.map(\.content))
        completionTokens = TokenEstimate.of(content)
        if let maxTokens = request.maxTokens, completionTokens > maxTokens {
            content = TokenEstimate.prefix(content, tokens: maxTokens)
            completionTokens = maxTokens
            finishReason = "length"
            cutByMaxTokens = true
        } else {
            finishReason = "stop"
            cutByMaxTokens = false
        }
    }

    /// Replaces the content with one that fails validation (the `invalidOutput` fault).
    mutating func makeInvalid(random: inout SeededRandom) {
        content = builder.invalidAnswer(random: &random)
        finishReason = "stop"
        completionTokens = TokenEstimate.of(content)
    }

    func response(id: String, created: Int, model: String) -> ChatCompletionResponse {
        ChatCompletionResponse(
            id: id, created: created, model: model, content: content, finishReason: finishReason,
            promptTokens: promptTokens, completionTokens: completionTokens)
    }
}
