import TreeInstructCore

/// Guesses a call's tokens before it is made, as providers count them against tokens/min:
/// the prompt at about four characters a token, plus max_tokens when set (providers reserve
/// it), else the running average of real completions.
public struct TokenEstimator: Sendable {
    public var maxTokens: Int?
    private var averageCompletion = 400.0
    private var observed = 0

    public init(maxTokens: Int?) {
        self.maxTokens = maxTokens
    }

    public func estimate(_ prompt: ChatPrompt) -> Int {
        let characters = prompt.messages.reduce(0) { $0 + $1.content.count + 8 }
            + (prompt.responseSchema.map { $0.schema.compactText.count } ?? 0)
        return characters / 4 + 1 + (maxTokens ?? Int(averageCompletion))
    }

    /// Learns from a real completion's size.
    public mutating func observe(completionTokens: Int) {
        observed += 1
        let weight = 1 / Double(min(observed, 100))
        averageCompletion += (Double(completionTokens) - averageCompletion) * weight
    }
}
