import TreeInstructCore

/// The Chat Completions request body, with the schema placed as the endpoint's dialect wants.
struct ChatRequestBody: Encodable {
    var model: String
    var messages: [ChatMessage]
    var temperature: Double?
    var maxTokens: Int?
    var responseFormat: JSONValue?

    enum CodingKeys: String, CodingKey {
        case model, messages, temperature
        case maxTokens = "max_tokens"
        case responseFormat = "response_format"
    }

    init(prompt: ChatPrompt, model: String, temperature: Double?, maxTokens: Int?, dialect: StructuredOutputDialect) {
        self.model = model
        self.messages = prompt.messages
        self.temperature = temperature
        self.maxTokens = maxTokens
        guard let schema = prompt.responseSchema else { return }
        switch dialect {
        case .jsonSchema:
            responseFormat = ["type": "json_schema", "json_schema": ["name": .string(schema.name), "schema": schema.schema, "strict": true]]
        case .jsonObject:
            responseFormat = ["type": "json_object", "schema": schema.schema]
        case .promptOnly:
            responseFormat = nil
        }
    }
}

/// The parts of a Chat Completions response we use. Everything else is ignored, so servers that
/// add fields (vLLM, llama.cpp, Ollama) decode alike.
struct ChatResponseBody: Decodable {
    struct Choice: Decodable {
        struct Message: Decodable {
            var content: String?
            /// OpenAI's structured-output refusal, sent instead of content.
            var refusal: String?
        }
        var message: Message?
        var finishReason: String?
        enum CodingKeys: String, CodingKey {
            case message
            case finishReason = "finish_reason"
        }
    }
    struct Usage: Decodable {
        var promptTokens: Int?
        var completionTokens: Int?
        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens"
        }
    }
    var model: String?
    var choices: [Choice]
    var usage: Usage?
}
