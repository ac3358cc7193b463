import TreeInstructCore

/// The fields of an OpenAI Chat Completions request that the simulator honours, read from the
/// parsed body with OpenAI's 400 for anything malformed.
struct ChatCompletionRequest: Sendable {
    enum ResponseFormat: Sendable {
        case text
        case jsonObject(schema: JSONValue?)
        case jsonSchema(JSONValue)

        var wantsJSON: Bool {
            if case .text = self { return false }
            return true
        }
    }

    var model: String?
    var messages: [ChatMessage]
    var responseFormat: ResponseFormat
    var maxTokens: Int?
    var temperature: Double?

    static func parse(_ body: JSONValue) -> Result<ChatCompletionRequest, OpenAIError> {
        guard case .object(let fields) = body else { return .failure(.unparsableBody) }
        if case .bool(true) = fields["stream"] { return .failure(.streamingNotSupported) }
        var model: String?
        switch fields["model"] {
        case nil, .null: break
        case .string(let name): model = name
        default: return .failure(.invalidRequest("model must be a string.", param: "model"))
        }
        let messages: [ChatMessage]
        switch parseMessages(fields["messages"]) {
        case .success(let parsed): messages = parsed
        case .failure(let error): return .failure(error)
        }
        var maxTokens: Int?
        for name in ["max_completion_tokens", "max_tokens"] {
            switch fields[name] {
            case nil, .null: continue
            case .number(let value) where value >= 1 && value == value.rounded() && value < 1e9:
                maxTokens = maxTokens ?? Int(value)
            default: return .failure(.invalidRequest("\(name) must be a positive integer.", param: name))
            }
        }
        var temperature: Double?
        switch fields["temperature"] {
        case nil, .null: break
        case .number(let value) where (0...2).contains(value): temperature = value
        default: return .failure(.invalidRequest("temperature must be a number between 0 and 2.", param: "temperature"))
        }
        if case .number(let n) = fields["n"], n != 1 {
            return .failure(.invalidRequest("The TreeInstruct endpoint simulator returns one choice; n must be 1.", param: "n"))
        }
        return parseResponseFormat(fields["response_format"]).map {
            ChatCompletionRequest(model: model, messages: messages, responseFormat: $0, maxTokens: maxTokens, temperature: temperature)
        }
    }

    private static func parseMessages(_ value: JSONValue?) -> Result<[ChatMessage], OpenAIError> {
        guard case .array(let items) = value, !items.isEmpty else {
            return .failure(.invalidRequest("messages must be a non-empty array.", param: "messages"))
        }
        var messages: [ChatMessage] = []
        messages.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard case .string(let roleName) = item["role"] else {
                return .failure(.invalidRequest("messages[\(index)].role must be a string.", param: "messages"))
            }
            let role: ChatMessage.Role
            switch roleName {
            case "system", "developer": role = .system
            case "user": role = .user
            case "assistant": role = .assistant
            case "tool", "function": continue
            default: return .failure(.invalidRequest("messages[\(index)].role \"\(roleName)\" is not a known role.", param: "messages"))
            }
            guard let content = text(of: item["content"]) else {
                return .failure(.invalidRequest("messages[\(index)].content must be a string or an array of text parts.", param: "messages"))
            }
            messages.append(ChatMessage(role, content))
        }
        return .success(messages)
    }

    /// A string, an array of `{"type": "text", "text": ...}` parts joined, or null as empty.
    private static func text(of content: JSONValue?) -> String? {
        switch content {
        case .string(let text): return text
        case nil, .null: return ""
        case .array(let parts):
            var texts: [String] = []
            for part in parts {
                guard case .string(let text) = part["text"] else { return nil }
                texts.append(text)
            }
            return texts.joined(separator: "\n")
        default: return nil
        }
    }

    private static func parseResponseFormat(_ value: JSONValue?) -> Result<ResponseFormat, OpenAIError> {
        guard let value, value != .null else { return .success(.text) }
        guard case .string(let type) = value["type"] else {
            return .failure(.invalidRequest("response_format.type must be a string.", param: "response_format"))
        }
        switch type {
        case "text": return .success(.text)
        case "json_object": return .success(.jsonObject(schema: value["schema"]))
        case "json_schema":
            guard let schema = value["json_schema"]?["schema"], case .object = schema else {
                return .failure(
                    .invalidRequest(
                        "response_format.json_schema.schema must be a JSON Schema object.",
                        param: "response_format.json_schema"))
            }
            return .success(.jsonSchema(schema))
        default:
            return .failure(
                .invalidRequest(
                    "Invalid value for response_format.type: \"\(type)\"; expected text, json_object or json_schema.",
                    param: "response_format.type"))
        }
    }
}
