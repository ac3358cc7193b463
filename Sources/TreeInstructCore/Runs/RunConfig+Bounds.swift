/// The allowed range of each method setting, and the problems of a configuration against them.
///
/// Checked before a run is created, so a run can never exist whose every task is bound to
/// fail (an endpoint refusing `temperature: -1` after six paid attempts, or a word budget in
/// which no row can grow). The command line names each field by its option (`Field`).
extension RunConfig {
    /// A setting of the method, named as in runs.config.
    public enum Field: String, Sendable, Hashable, CaseIterable {
        case nodesPerRound = "nodes_per_round"
        case rounds
        case maxAttempts = "max_attempts"
        case minAddedWords = "min_added_words"
        case maxWords = "max_words"
        case maxDepth = "max_depth"
        case temperature
        case maxTokens = "max_tokens"
        case model
        case respondModel = "respond_model"
    }

    /// One unusable setting: which, and why (a sentence that follows the field's name).
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public var field: Field
        /// E.g. "must be between 1 and 50, got 0".
        public var message: String
        public var description: String { "\(field.rawValue) \(message)" }
    }

    public static let nodesRange = 1...50
    public static let roundsRange = 1...20
    public static let maxAttemptsRange = 1...100
    public static let minAddedWordsRange = 0...1_000
    public static let maxWordsRange = 1...10_000
    public static let maxDepthRange = 2...100
    /// OpenAI's range; providers that accept more are rare and such values give noise.
    public static let temperatureRange = 0.0...2.0
    public static let maxTokensRange = 1...1_048_576
    public static let modelNameLength = 1...256

    /// Every problem, in the order of `Field`; empty when the configuration is usable.
    public var problems: [Problem] {
        var problems: [Problem] = []
        func check<T: Comparable>(_ field: Field, _ value: T, _ range: ClosedRange<T>) {
            if !range.contains(value) { problems.append(Problem(field: field, message: Bounds.outside(range, value))) }
        }
        check(.nodesPerRound, rewrite.nodesToAdd, Self.nodesRange)
        check(.rounds, rounds, Self.roundsRange)
        check(.maxAttempts, maxAttempts, Self.maxAttemptsRange)
        check(.minAddedWords, rewrite.minAddedWords, Self.minAddedWordsRange)
        check(.maxWords, rewrite.maxWords, Self.maxWordsRange)
        if problems.isEmpty, minimumFinalWords(fromOriginalWords: 1) > rewrite.maxWords {
            let rounds = rounds == 1 ? "1 round" : "\(rounds) rounds"
            problems.append(
                Problem(
                    field: .maxWords,
                    message: "\(rewrite.maxWords) leaves no room to add \(rewrite.minAddedWords) words "
                        + "in each of \(rounds): even a one-word instruction would need \(minimumFinalWords(fromOriginalWords: 1))"))
        }
        check(.maxDepth, rewrite.maxDepth, Self.maxDepthRange)
        if let temperature, !(temperature.isFinite && Self.temperatureRange.contains(temperature)) {
            problems.append(Problem(field: .temperature, message: Bounds.outside(Self.temperatureRange, temperature)))
        }
        if let maxTokens { check(.maxTokens, maxTokens, Self.maxTokensRange) }
        if let problem = Self.modelNameProblem(model) { problems.append(Problem(field: .model, message: problem)) }
        if let respondModel, let problem = Self.modelNameProblem(respondModel) {
            problems.append(Problem(field: .respondModel, message: problem))
        }
        return problems
    }

    /// A model name is sent to the endpoint and shown in status: printable, 1 to 256 characters.
    static func modelNameProblem(_ name: String) -> String? {
        PrintableName.problem(name, length: modelNameLength)
    }
}

/// Wording of range errors, shared by every option check.
public enum Bounds {
    /// "must be between 1 and 50, got 0" (or "at least" / "at most" for one-sided ranges).
    public static func outside<T: Comparable>(_ range: ClosedRange<T>, _ value: T) -> String {
        "must be between \(range.lowerBound) and \(range.upperBound), got \(value)"
    }
}
