/// The OpenAI-shaped success body: one choice, usage, and a `system_fingerprint` that names the
/// simulator so logs never mistake it for a model.
struct ChatCompletionResponse: Sendable {
    static let systemFingerprint = "treeinstruct-simulator"

    var id: String
    var created: Int
    var model: String
    var content: String
    var finishReason: String
    var promptTokens: Int
    var completionTokens: Int

    var body: String {
        var json = JSONText(capacity: content.utf8.count + 384)
        json.raw("{\"id\":")
        json.string(id)
        json.raw(",\"object\":\"chat.completion\",\"created\":\(created),\"model\":")
        json.string(model)
        json.raw(",\"system_fingerprint\":\"\(Self.systemFingerprint)\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":")
        json.string(content)
        json.raw(",\"refusal\":null},\"logprobs\":null,\"finish_reason\":")
        json.string(finishReason)
        json.raw("}],\"usage\":{\"prompt_tokens\":\(promptTokens),\"completion_tokens\":\(completionTokens),")
        json.raw("\"total_tokens\":\(promptTokens + completionTokens)}}")
        return json.text
    }
}
