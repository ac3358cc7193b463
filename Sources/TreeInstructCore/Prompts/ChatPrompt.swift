/// One message of an OpenAI-style chat.
public struct ChatMessage: Sendable, Hashable, Codable {
    public enum Role: String, Sendable, Hashable, Codable { case system, user, assistant }
    public var role: Role
    public var content: String

    public init(_ role: Role, _ content: String) {
        self.role = role
        self.content = content
    }
}

/// A JSON Schema the endpoint should constrain its answer to, under a name it can log.
public struct ResponseSchema: Sendable, Hashable {
    public var name: String
    public var schema: JSONValue
}

/// Everything the LLM client needs to ask one question: the messages and, for structured
/// answers, the schema. How the schema travels (response_format, grammar, prompt only) is the
/// client's business, chosen per endpoint dialect.
public struct ChatPrompt: Sendable, Hashable {
    public var messages: [ChatMessage]
    public var responseSchema: ResponseSchema?

    public init(messages: [ChatMessage], responseSchema: ResponseSchema? = nil) {
        self.messages = messages
        self.responseSchema = responseSchema
    }
}
