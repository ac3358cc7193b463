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
/// add fields (vLLM, llama.cpp, Ollama) read alike. Read with the package's own JSON parser (a
/// sixth of a worker's time went to Foundation's decoder); a field of the wrong type makes the
/// body unreadable, as a decoder would.
struct ChatResponseBody {
    struct Choice {
        var content: String?
        /// OpenAI's structured-output refusal, sent instead of content.
        var refusal: String?
        var hasMessage: Bool
        var finishReason: String?
    }
    var model: String?
    var choices: [Choice]
    var promptTokens: Int?
    var completionTokens: Int?

    struct Unreadable: Error {}

    init(bytes: UnsafeBufferPointer<UInt8>) throws {
        let body: JSONValue
        do { body = try JSONParser.parse(bytes) } catch { throw Unreadable() }
        guard case .object = body, case .array(let choices)? = body["choices"] else { throw Unreadable() }
        model = try Self.string(body["model"])
        self.choices = try choices.map { choice in
            guard case .object = choice else { throw Unreadable() }
            let message = choice["message"]
            switch message {
            case nil, .null?, .object?: break
            default: throw Unreadable()
            }
            return Choice(
                content: try Self.string(message?["content"]), refusal: try Self.string(message?["refusal"]),
                hasMessage: message.map { $0 != .null } ?? false, finishReason: try Self.string(choice["finish_reason"]))
        }
        switch body["usage"] {
        case nil, .null?: break
        case .object?:
            promptTokens = try Self.integer(body["usage"]?["prompt_tokens"])
            completionTokens = try Self.integer(body["usage"]?["completion_tokens"])
        default: throw Unreadable()
        }
    }

    private static func string(_ value: JSONValue?) throws -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw Unreadable()
        }
    }

    private static func integer(_ value: JSONValue?) throws -> Int? {
        switch value {
        case nil, .null?: return nil
        case .number(let number)? where number == number.rounded() && abs(number) < 1e15: return Int(number)
        default: throw Unreadable()
        }
    }
}
