import TreeInstructCore

/// The Chat Completions request body, with the schema placed as the endpoint's dialect wants.
/// Written as compact JSON text directly, keys in sorted order (see `JSONWriter`), with the
/// schema's text written once per schema (`ResponseSchema.compactSchema`), not once per call.
struct ChatRequestBody {
    let text: String

    init(prompt: ChatPrompt, model: String, temperature: Double?, maxTokens: Int?, dialect: StructuredOutputDialect) {
        var body = JSONObjectWriter(capacity: 1024 + prompt.messages.reduce(0) { $0 + $1.content.utf8.count })
        if let maxTokens { body.field("max_tokens", .number(Double(maxTokens))) }
        body.field("messages", .array(prompt.messages.map { ["content": .string($0.content), "role": .string($0.role.rawValue)] }))
        body.field("model", .string(model))
        if let schema = prompt.responseSchema {
            switch dialect {
            case .jsonSchema:
                var format = JSONObjectWriter(capacity: schema.compactSchema.utf8.count + 128)
                var inner = JSONObjectWriter(capacity: schema.compactSchema.utf8.count + 64)
                inner.field("name", .string(schema.name))
                inner.field("schema", rawJSON: schema.compactSchema)
                inner.field("strict", .bool(true))
                format.field("json_schema", rawJSON: inner.finished)
                format.field("type", .string("json_schema"))
                body.field("response_format", rawJSON: format.finished)
            case .jsonObject:
                var format = JSONObjectWriter(capacity: schema.compactSchema.utf8.count + 64)
                format.field("schema", rawJSON: schema.compactSchema)
                format.field("type", .string("json_object"))
                body.field("response_format", rawJSON: format.finished)
            case .promptOnly:
                break
            }
        }
        if let temperature { body.field("temperature", .number(temperature)) }
        text = body.finished
    }
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
        try self.init(json: body)
    }

    /// A body already parsed (a line of a batch's output file holds it).
    init(json body: JSONValue) throws {
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

    /// The completion it holds, or `malformedBody` when it holds none.
    func completion(status: Int, latency: Duration, rateLimits: RateLimitHeaders) throws(LLMError) -> ChatCompletion {
        guard let choice = choices.first, choice.hasMessage else {
            throw LLMError(kind: .malformedBody, httpStatus: status, message: "the response has no choices")
        }
        let refused = choice.content == nil && choice.refusal != nil
        return ChatCompletion(
            content: choice.content ?? choice.refusal ?? "", finishReason: refused ? "content_filter" : choice.finishReason, model: model,
            promptTokens: promptTokens, completionTokens: completionTokens, httpStatus: status, latency: latency, rateLimits: rateLimits)
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
