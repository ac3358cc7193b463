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

    public init(rewrite: RewriteSettings = RewriteSettings(), rounds: Int = 1, respond: Bool = true, model: String,
                respondModel: String? = nil, maxAttempts: Int = 6, temperature: Double? = nil, maxTokens: Int? = nil) {
        self.rewrite = rewrite
        self.rounds = rounds
        self.respond = respond
        self.model = model
        self.respondModel = respondModel
        self.maxAttempts = maxAttempts
        self.temperature = temperature
        self.maxTokens = maxTokens
    }

    enum CodingKeys: String, CodingKey {
        case rewrite, rounds, respond, model
        case respondModel = "respond_model"
        case maxAttempts = "max_attempts"
        case temperature
        case maxTokens = "max_tokens"
    }

    /// Tasks one source row needs: R rewrites, plus the answer when `respond` is on.
    public var stagesPerRow: Int { rounds + (respond ? 1 : 0) }

    /// Total nodes added to a source instruction after `round` rounds.
    public func difficulty(afterRound round: Int) -> Int { rewrite.nodesToAdd * round }

    /// Problems that make the configuration unusable, each naming its field.
    public var problems: [String] {
        var problems: [String] = []
        if rewrite.nodesToAdd < 1 { problems.append("nodes per round (K) must be at least 1, got \(rewrite.nodesToAdd)") }
        if rounds < 1 { problems.append("rounds (R) must be at least 1, got \(rounds)") }
        if maxAttempts < 1 { problems.append("max attempts must be at least 1, got \(maxAttempts)") }
        if rewrite.maxWords < 1 { problems.append("max words must be at least 1, got \(rewrite.maxWords)") }
        if rewrite.maxDepth < 2 { problems.append("max depth must be at least 2, got \(rewrite.maxDepth)") }
        if model.isEmpty { problems.append("model must not be empty") }
        return problems
    }
}
