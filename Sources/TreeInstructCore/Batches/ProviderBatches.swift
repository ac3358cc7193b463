import Foundation

/// One call of a batch: what a live call would send, under an id unique in its batch.
public struct BatchRequest: Sendable {
    public var customID: String
    public var prompt: ChatPrompt
    public var model: String
    public var temperature: Double?
    public var maxTokens: Int?

    public init(customID: String, prompt: ChatPrompt, model: String, temperature: Double?, maxTokens: Int?) {
        self.customID = customID
        self.prompt = prompt
        self.model = model
        self.temperature = temperature
        self.maxTokens = maxTokens
    }
}

/// A batch made, and the requests that did not fit its file.
public struct SubmittedBatch: Sendable {
    public var batch: ProviderBatch
    public var leftOut: [String]

    public init(batch: ProviderBatch, leftOut: [String]) {
        self.batch = batch
        self.leftOut = leftOut
    }
}

/// A batch as the provider reports it.
public struct ProviderBatch: Sendable, Hashable {
    public var id: String
    /// validating, in_progress, finalizing, completed, expired, cancelling, cancelled or failed.
    public var status: String
    public var outputFileID: String?
    public var errorFileID: String?
    public var total: Int
    public var completed: Int
    public var failed: Int
    public var createdAt: Date?
    public var expiresAt: Date?
    public var metadata: [String: String]
    /// Why the provider failed the batch (status failed), when it says.
    public var failure: String?

    public init(
        id: String, status: String, outputFileID: String? = nil, errorFileID: String? = nil, total: Int = 0, completed: Int = 0,
        failed: Int = 0, createdAt: Date? = nil, expiresAt: Date? = nil, metadata: [String: String] = [:], failure: String? = nil
    ) {
        self.id = id
        self.status = status
        self.outputFileID = outputFileID
        self.errorFileID = errorFileID
        self.total = total
        self.completed = completed
        self.failed = failed
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.metadata = metadata
        self.failure = failure
    }

    /// The provider is done with it: nothing more will be answered.
    public var hasEnded: Bool { ["completed", "expired", "cancelled", "failed"].contains(status) }
}

/// One line of an output or error file.
public struct BatchAnswer: Sendable {
    public enum Outcome: Sendable {
        /// The model answered (status 200): validated as a live answer is.
        case answered(ChatCompletion)
        /// The request failed at the provider (status 4xx/5xx, or a body unreadable).
        case failed(LLMError)
        /// Never run: the batch expired or was cancelled first (`batch_expired`, `batch_cancelled`).
        case notRun(code: String, message: String)
    }

    public var customID: String
    public var outcome: Outcome

    public init(customID: String, outcome: Outcome) {
        self.customID = customID
        self.outcome = outcome
    }
}
