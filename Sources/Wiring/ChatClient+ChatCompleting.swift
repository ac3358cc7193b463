import LLMClient
import Workers

/// The HTTP client is the worker core's chat endpoint as it is: the signatures match.
extension ChatClient: ChatCompleting {}
