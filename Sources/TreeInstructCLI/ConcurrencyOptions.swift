import ArgumentParser
import TreeInstructCore
import Workers

/// `--concurrency N|auto` and `--max-concurrency`, shared by `work` and `local`.
struct ConcurrencyOptions: ParsableArguments {
    @Option(
        name: .long, parsing: .unconditional,
        help:
            "LLM calls in flight per worker: a number, \(Self.range), or auto (start at 1, grow while latency stays flat, shrink when it climbs or calls time out) (env TREEINSTRUCT_CONCURRENCY; default 16 for work, auto for local)."
    )
    var concurrency: String?

    @Option(
        name: .long, parsing: .unconditional,
        help: "With --concurrency auto, the most calls in flight per worker, \(Self.range) (env TREEINSTRUCT_MAX_CONCURRENCY, default 128).")
    var maxConcurrency: Int?

    static let range = 1...4096

    /// The setting: `fallback` ("auto" or a number) when neither the flag nor the variable is given.
    func resolve(default fallback: String) throws -> (limit: Int, adaptive: Bool) {
        let text = Environment.string(concurrency, "TREEINSTRUCT_CONCURRENCY", default: fallback)!
        let source = concurrency == nil ? "TREEINSTRUCT_CONCURRENCY" : "--concurrency"
        if text == "auto" {
            let maximum = try Environment.int(
                maxConcurrency, "--max-concurrency", "TREEINSTRUCT_MAX_CONCURRENCY", default: 128, in: Self.range)!
            return (maximum, true)
        }
        guard let value = Int(text) else {
            throw UsageError("\(source) must be auto or a whole number, \(Self.range), got \"\(PrintableName.shown(text, limit: 40))\"")
        }
        return (try Check.range(source, value, Self.range), false)
    }
}

extension WorkerConfiguration {
    /// Applies `--concurrency`: a fixed number, or adaptive up to a maximum.
    mutating func apply(_ setting: (limit: Int, adaptive: Bool)) { setConcurrency(setting.limit, adaptive: setting.adaptive) }
}
