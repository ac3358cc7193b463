import TreeInstructCore

/// The Chat Completions request body, with the schema placed as the endpoint's dialect wants.
/// Written as compact JSON text directly (see `JSONWriter`), not through `JSONEncoder`.
struct ChatRequestBody {
    let json: JSONValue

    init(prompt: ChatPrompt, model: String, temperature: Double?, maxTokens: Int?, dialect: StructuredOutputDialect) {
        var fields: [String: JSONValue] = [
            "model": .string(model),
            "messages": .array(prompt.messages.map { ["role": .string($0.role.rawValue), "content": .string($0.content)] }),
        ]
        if let temperature { fields["temperature"] = .number(temperature) }
        if let maxTokens { fields["max_tokens"] = .number(Double(maxTokens)) }
        if let schema = prompt.responseSchema {
            switch dialect {
            case .jsonSchema:
                fields["response_format"] = [
                    "type": "json_schema", "json_schema": ["name": .string(schema.name), "schema": schema.schema, "strict": true],
                ]
            case .jsonObject:
                fields["response_format"] = ["type": "json_object", "schema": schema.schema]
            case .promptOnly:
                break
            }
        }
        json = .object(fields)
    }

    var text: String { json.compactText }
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
