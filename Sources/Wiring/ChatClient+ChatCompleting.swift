import LLMClient
import Workers

/// The HTTP client is the worker core's chat endpoint as it is: the signatures match.
extension ChatClient: ChatCompleting {}

/// The HTTP batch client is the worker core's Batch API as it is.
extension BatchClient: BatchProviding {}
