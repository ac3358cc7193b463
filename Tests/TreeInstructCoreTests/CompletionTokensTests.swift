import Testing

@testable import TreeInstructCore

/// max_tokens is always sent: the run's, or one that fits the method (issue 18, item 7).
@Suite("Completion token limits")
struct CompletionTokensTests {
    @Test func derivedFromTheWordCapAndTheTemplateUnlessSet() {
        let structured = RunConfig(rewrite: RewriteSettings(maxWords: 100), model: "m")
        let plain = RunConfig(rewrite: RewriteSettings(maxWords: 100, template: .plain), model: "m")
        #expect(structured.completionTokenLimit(for: .rewrite) == 1456)
        #expect(plain.completionTokenLimit(for: .rewrite) == 364)
        #expect(plain.completionTokenLimit(for: .respond) == RunConfig.defaultResponseTokens)
        #expect(structured.completionTokenLimitSource(for: .rewrite).contains("--max-words 100 and the structured template"))
        let set = RunConfig(model: "m", maxTokens: 300)
        #expect(set.completionTokenLimit(for: .rewrite) == 300 && set.completionTokenLimit(for: .respond) == 300)
        #expect(set.completionTokenLimitSource(for: .respond) == "--max-tokens")
        // A rewrite's limit grows with the words allowed: 1.4 tokens a word leaves room twice over.
        #expect(plain.completionTokenLimit(for: .rewrite) > Int(1.4 * 2 * 100))
    }
}
