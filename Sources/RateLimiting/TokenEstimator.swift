import TreeInstructCore

/// Guesses a call's tokens before it is made, as providers count them against tokens/min: the
/// prompt at about four characters a token, plus max_tokens when set (providers reserve it),
/// else the running average of the completions seen so far. One per worker, shared by its
/// calls, so the average is learned from all of them.
public actor TokenEstimator {
    private var averageCompletion: Double
    private var observed = 0

    public init(initialCompletionGuess: Int = 400) {
        averageCompletion = Double(initialCompletionGuess)
    }

    public func estimate(_ prompt: ChatPrompt, maxTokens: Int?) -> Int {
        let characters = prompt.messages.reduce(0) { $0 + $1.content.count + 8 }
            + (prompt.responseSchema.map { $0.schema.compactText.count } ?? 0)
        return characters / 4 + 1 + (maxTokens ?? Int(averageCompletion.rounded()))
    }

    /// Learns from a real completion's size (an exponential average over about 50 calls).
    public func observe(completionTokens: Int) {
        observed += 1
        let weight = 1 / Double(min(observed, 50))
        averageCompletion += (Double(completionTokens) - averageCompletion) * weight
    }
}
