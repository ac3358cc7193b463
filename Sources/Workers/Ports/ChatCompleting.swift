import TreeInstructCore

/// What the worker core needs of an LLM endpoint: one Chat Completions call. The HTTP client
/// (LLMClient's `ChatClient`) implements it; failures are `LLMError`s, classified so the core
/// knows whether and when to try again.
public protocol ChatCompleting: Sendable {
    func complete(_ prompt: ChatPrompt, model: String, temperature: Double?, maxTokens: Int?) async throws -> ChatCompletion
}
