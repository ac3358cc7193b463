import ArgumentParser
import TreeInstructCore

/// The Tree-Instruct method of a run: difficulty (K nodes, R rounds), the respond stage,
/// models and limits. Fixed when the run is created.
struct MethodOptions: ParsableArguments {
    @Option(name: .long, help: "Nodes to add per round, K (default 3).")
    var nodes: Int = 3

    @Option(name: .long, help: "Rounds, R; K=3 R=2 is the paper's \"6 nodes\" (default 1).")
    var rounds: Int = 1

    @Flag(inversion: .prefixedNo, help: "Answer each final instruction (the respond stage).")
    var respond = true

    @Option(name: .long, help: "Rewrite template: structured (JSON trees, every check) or plain (paper style).")
    var template: RewriteTemplate = .structured

    @Option(name: .long, help: "Model for the rewrites (env TREEINSTRUCT_MODEL, default gpt-4o-mini).")
    var model: String?

    @Option(name: .long, help: "Model for the respond stage (default: the rewrite model).")
    var respondModel: String?

    @Option(name: .long, help: "Tries per task before it fails (default 6).")
    var maxAttempts: Int = 6

    @Option(name: .long, help: "Words a new instruction must add at least (default 12).")
    var minAddedWords: Int = 12

    @Option(name: .long, help: "Words a new instruction may have at most (default 100).")
    var maxWords: Int = 100

    @Option(name: .long, help: "Levels the expanded tree may have at most (default 10).")
    var maxDepth: Int = 10

    @Option(name: .long, help: "Sampling temperature sent to the endpoint.")
    var temperature: Double?

    @Option(name: .long, help: "Completion token cap per call.")
    var maxTokens: Int?

    func config() throws -> RunConfig {
        let config = RunConfig(
            rewrite: RewriteSettings(nodesToAdd: nodes, minAddedWords: minAddedWords, maxWords: maxWords, maxDepth: maxDepth, template: template),
            rounds: rounds, respond: respond, model: Environment.string(model, "TREEINSTRUCT_MODEL", default: "gpt-4o-mini")!,
            respondModel: respondModel, maxAttempts: maxAttempts, temperature: temperature, maxTokens: maxTokens)
        if let problem = config.problems.first { throw ValidationError(problem) }
        return config
    }
}

extension RewriteTemplate: ExpressibleByArgument {}
