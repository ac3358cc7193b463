/// How a run rewrites its corpus, fixed when the run is created and stored with it (runs.config),
/// so every worker on every machine applies the same method to the same run.
public struct RunConfig: Sendable, Hashable, Codable {
    /// K, limits and template of each rewrite round.
    public var rewrite: RewriteSettings
    /// R: each round adds K nodes to the previous round's instruction.
    public var rounds: Int
    /// Whether a final stage answers the last instruction.
    public var respond: Bool
    /// Model for the rewrite rounds.
    public var model: String
    /// Model for the respond stage; the rewrite model when nil.
    public var respondModel: String?
    /// Tries per task before it is failed.
    public var maxAttempts: Int
    public var temperature: Double?
    /// Completion token cap sent with each request.
    public var maxTokens: Int?
    /// Set when the run's calls go through the provider's Batch API (`submit --mode batch`);
    /// nil (the default) for live calls.
    public var batch: BatchSettings?

    public init(
        rewrite: RewriteSettings = RewriteSettings(), rounds: Int = 1, respond: Bool = true, model: String,
        respondModel: String? = nil, maxAttempts: Int = 6, temperature: Double? = nil, maxTokens: Int? = nil,
        batch: BatchSettings? = nil
    ) {
        self.rewrite = rewrite
        self.rounds = rounds
        self.respond = respond
        self.model = model
        self.respondModel = respondModel
        self.maxAttempts = maxAttempts
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.batch = batch
    }

    enum CodingKeys: String, CodingKey {
        case rewrite, rounds, respond, model
        case respondModel = "respond_model"
        case maxAttempts = "max_attempts"
        case temperature
        case maxTokens = "max_tokens"
        case batch
    }

    /// Tasks one source row needs: R rewrites, plus the answer when `respond` is on.
    public var stagesPerRow: Int { rounds + (respond ? 1 : 0) }

    /// Total nodes added to a source instruction after `round` rounds.
    public func difficulty(afterRound round: Int) -> Int { rewrite.nodesToAdd * round }

    /// Words a source instruction of `words` words grows to at least, after every round:
    /// each round must add `minAddedWords` to the one before it.
    public func minimumFinalWords(fromOriginalWords words: Int) -> Int { words + rounds * rewrite.minAddedWords }

    /// The record as a `cannot_grow` error when no rewrite chain can stay under the word cap;
    /// such a row is skipped before it is paid for (submit) and reported the same way (inspect).
    public func cannotGrow(_ record: InstructionRecord, file: String) -> CorpusError? {
        let words = TextNormalization.wordCount(PastedInput.ownWords(of: record.instruction, input: record.input))
        let needed = minimumFinalWords(fromOriginalWords: words)
        guard needed > rewrite.maxWords else { return nil }
        return CorpusError(file: file, line: record.line, reason: .cannotGrow(words: words, needed: needed, cap: rewrite.maxWords))
    }
}
