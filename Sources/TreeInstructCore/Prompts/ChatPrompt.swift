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
    public let name: String
    public let schema: JSONValue
    /// `schema` as compact JSON, written once: every request of a run carries the same schema.
    public let compactSchema: String

    public init(name: String, schema: JSONValue) {
        self.name = name
        self.schema = schema
        compactSchema = schema.compactText
    }
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
