import TreeInstructCore

/// A call's tokens as guessed before it is made.
public struct TokenGuess: Sendable, Hashable {
    public let promptTokens: Int
    public let completionTokens: Int
    /// The prompt's size before calibration (characters / 4), to learn the provider's ratio from.
    let uncalibratedPrompt: Double

    public var total: Int { promptTokens + completionTokens }

    init(promptTokens: Int, completionTokens: Int, uncalibratedPrompt: Double) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.uncalibratedPrompt = uncalibratedPrompt
    }

    /// A guess made elsewhere (tests, tools): nothing to calibrate from.
    public init(promptTokens: Int, completionTokens: Int) {
        self.init(promptTokens: promptTokens, completionTokens: completionTokens, uncalibratedPrompt: Double(promptTokens))
    }
}

/// Guesses a call's tokens before it is made, as providers count them against tokens/min: the
/// prompt at about four characters a token, calibrated by what the provider reports (its
/// tokenizer, and whether it counts the schema, are its own), plus max_tokens when set
/// (providers reserve it), else the running average of completions. One per worker, shared by
/// its calls, so both are learned from all of them. A guess that runs high leaves budget unused;
/// one that runs low draws 429s.
public actor TokenEstimator {
    private var averageCompletion: Double
    private var promptScale = 1.0
    private var observed = 0
    /// Each response schema's length in characters, by name, measured once (a run's prompts
    /// share one; another K changes a name's schema by a character or two, within the guess).
    private var schemaCharacters: [String: Int] = [:]

    public init(initialCompletionGuess: Int = 400) {
        averageCompletion = Double(initialCompletionGuess)
    }

    public func estimate(_ prompt: ChatPrompt, maxTokens: Int?) -> TokenGuess {
        let characters =
            prompt.messages.reduce(0) { $0 + $1.content.unicodeScalars.count + 8 }
            + (prompt.responseSchema.map(characters(of:)) ?? 0)
        let uncalibrated = Double(characters) / 4 + 1
        return TokenGuess(
            promptTokens: Int((uncalibrated * promptScale).rounded(.up)),
            completionTokens: maxTokens ?? Int(averageCompletion.rounded()), uncalibratedPrompt: uncalibrated)
    }

    private func characters(of schema: ResponseSchema) -> Int {
        if let known = schemaCharacters[schema.name] { return known }
        let count = schema.compactSchema.unicodeScalars.count
        if schemaCharacters.count < 64 { schemaCharacters[schema.name] = count }
        return count
    }

    /// Learns from what the provider reported for a call (exponential averages over about 50 calls).
    public func observe(_ guess: TokenGuess, promptTokens: Int?, completionTokens: Int?) {
        observed += 1
        let weight = 1 / Double(min(observed, 50))
        if let promptTokens, promptTokens > 0 {
            let scale = min(4, max(0.25, Double(promptTokens) / guess.uncalibratedPrompt))
            promptScale += (scale - promptScale) * weight
        }
        if let completionTokens {
            averageCompletion += (Double(completionTokens) - averageCompletion) * weight
        }
    }
}
