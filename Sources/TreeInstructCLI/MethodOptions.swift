import ArgumentParser
import TreeInstructCore

/// The Tree-Instruct method of a run: difficulty (K nodes, R rounds), the respond stage,
/// models and limits. Fixed when the run is created. Numbers are parsed `.unconditional`ly so
/// that `--nodes -1` is refused for its value, not mistaken for a missing one.
struct MethodOptions: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: "Nodes to add per round, K, \(RunConfig.nodesRange) (default 3).")
    var nodes: Int = 3

    @Option(name: .long, parsing: .unconditional, help: "Rounds, R, \(RunConfig.roundsRange); K=3 R=2 is the paper's \"6 nodes\" (default 1).")
    var rounds: Int = 1

    @Flag(inversion: .prefixedNo, help: "Answer each final instruction (the respond stage).")
    var respond = true

    @Option(name: .long, help: "Rewrite template: structured (JSON trees, every check) or plain (paper style).")
    var template: RewriteTemplate = .structured

    @Option(name: .long, help: "Model for the rewrites (env TREEINSTRUCT_MODEL, default gpt-4o-mini).")
    var model: String?

    @Option(name: .long, help: "Model for the respond stage (default: the rewrite model).")
    var respondModel: String?

    @Option(name: .long, parsing: .unconditional, help: "Tries per task before it fails, \(RunConfig.maxAttemptsRange) (default 6).")
    var maxAttempts: Int = 6

    @Option(name: .long, parsing: .unconditional, help: "Words each round must add at least, \(RunConfig.minAddedWordsRange) (default 12).")
    var minAddedWords: Int = 12

    @Option(name: .long, parsing: .unconditional, help: "Words a new instruction may have at most, \(RunConfig.maxWordsRange) (default 100).")
    var maxWords: Int = 100

    @Option(name: .long, parsing: .unconditional, help: "Levels the expanded tree may have at most, \(RunConfig.maxDepthRange) (default 10).")
    var maxDepth: Int = 10

    @Option(name: .long, parsing: .unconditional, help: "Sampling temperature sent to the endpoint, 0 to 2 (default: the endpoint's).")
    var temperature: Double?

    @Option(
        name: .long, parsing: .unconditional,
        help:
            "Completion token cap per call, \(RunConfig.maxTokensRange) (default: from --max-words and the template for rewrites, 2048 for responses)."
    )
    var maxTokens: Int?

    @Option(
        name: .long,
        help:
            "How the calls are made: live (one call per task) or batch (the provider's Batch API: half the price, answers within 24 h) (default live)."
    )
    var mode: CallMode = .live

    /// The run's configuration, or a usage error naming the first option out of range.
    func config() throws -> RunConfig {
        let config = RunConfig(
            rewrite: RewriteSettings(nodesToAdd: nodes, minAddedWords: minAddedWords, maxWords: maxWords, maxDepth: maxDepth, template: template),
            rounds: rounds, respond: respond, model: Environment.string(model, "TREEINSTRUCT_MODEL", default: "gpt-4o-mini")!,
            respondModel: respondModel, maxAttempts: maxAttempts, temperature: temperature, maxTokens: maxTokens,
            batch: mode == .batch ? BatchSettings() : nil)
        if let problem = config.problems.first {
            throw UsageError("\(optionName(problem.field)) \(problem.message)")
        }
        return config
    }

    private func optionName(_ field: RunConfig.Field) -> String {
        switch field {
        case .nodesPerRound: "--nodes"
        case .rounds: "--rounds"
        case .maxAttempts: "--max-attempts"
        case .minAddedWords: "--min-added-words"
        case .maxWords: "--max-words"
        case .maxDepth: "--max-depth"
        case .temperature: "--temperature"
        case .maxTokens: "--max-tokens"
        case .model: model == nil ? "TREEINSTRUCT_MODEL" : "--model"
        case .respondModel: "--respond-model"
        }
    }
}

extension RewriteTemplate: ExpressibleByArgument {}

/// `--mode`: live calls, or the provider's Batch API.
enum CallMode: String, ExpressibleByArgument, CaseIterable {
    case live, batch
}
