import Testing
import TreeInstructCore

@Suite("Method bounds and names")
struct RunConfigBoundsTests {
    func config(
        nodes: Int = 3, rounds: Int = 1, minAdded: Int = 12, maxWords: Int = 100, temperature: Double? = nil,
        maxTokens: Int? = nil, model: String = "m"
    ) -> RunConfig {
        RunConfig(
            rewrite: RewriteSettings(nodesToAdd: nodes, minAddedWords: minAdded, maxWords: maxWords), rounds: rounds,
            model: model, temperature: temperature, maxTokens: maxTokens)
    }

    @Test(arguments: [
        (RunConfig.Field.nodesPerRound, "must be between 1 and 50, got 1000000"),
        (.temperature, "must be between 0.0 and 2.0, got nan"),
        (.maxTokens, "must be between 1 and 1048576, got 0"),
        (.maxWords, "5 leaves no room to add 12 words in each of 1 round: even a one-word instruction would need 13"),
        (.rounds, "must be between 1 and 20, got -1"),
    ])
    func outOfRangeIsNamed(field: RunConfig.Field, message: String) {
        let bad: RunConfig =
            switch field {
            case .nodesPerRound: config(nodes: 1_000_000)
            case .temperature: config(temperature: .nan)
            case .maxTokens: config(maxTokens: 0)
            case .maxWords: config(maxWords: 5)
            default: config(rounds: -1)
            }
        #expect(bad.problems.map(\.field) == [field])
        #expect(bad.problems.first?.message == message)
    }

    @Test func defaultsAndThePapersSettingsAreFine() {
        #expect(config().problems.isEmpty)
        #expect(config(rounds: 2, temperature: 0.7, maxTokens: 2048).problems.isEmpty)
        #expect(config(temperature: 2).problems.isEmpty)
        #expect(config(temperature: -0.1).problems.map(\.field) == [.temperature])
        #expect(config(temperature: .infinity).problems.map(\.field) == [.temperature])
    }

    /// A 51-word row under R=5 needs 51 + 5 x 12 = 111 words: over a 100-word cap.
    @Test func cannotGrowCountsEveryRound() {
        let words = (1...51).map { "w\($0)" }.joined(separator: " ")
        let record = InstructionRecord(instruction: words, input: "", line: 7)
        #expect(config(rounds: 1).cannotGrow(record, file: "c.jsonl") == nil)
        let error = config(rounds: 5).cannotGrow(record, file: "c.jsonl")
        #expect(error?.line == 7)
        #expect(error?.reason == .cannotGrow(words: 51, needed: 111, cap: 100))
        #expect(config(rounds: 4).cannotGrow(record, file: "c.jsonl") == nil)  // 51 + 48 = 99
    }

    @Test(arguments: ["", String(repeating: "r", count: 129), "two\nlines", "esc\u{1B}[2J", " padded", "bidi\u{202E}", "tab\there"])
    func badRunNames(name: String) {
        #expect(RunName.problem(name) != nil)
    }

    @Test(arguments: ["hard-6", "alpaca k3 r2", "数据集-一", String(repeating: "r", count: 128), "émile/2026.11"])
    func goodRunNames(name: String) {
        #expect(RunName.problem(name) == nil)
    }

    @Test func shownNamesCannotMoveTheCursor() {
        #expect(PrintableName.shown("a\u{1B}[2Jb\n") == "a\\u{1B}[2Jb\\u{A}")
        #expect(PrintableName.shown(String(repeating: "x", count: 100), limit: 10) == "xxxxxxxxxx…")
    }
}
