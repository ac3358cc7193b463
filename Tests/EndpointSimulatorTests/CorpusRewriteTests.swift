import EndpointSimulator
import Foundation
import TestCorpora
import Testing
import TreeInstructCore

/// Every row of the paper's 1k Alpaca corpus (Examples/corpora), rewritten twice with K=3 (round 2 rewrites round
/// 1's output) through the real prompts, must be accepted by the validator, for both templates.
@Suite("Simulated rewrites of the paper's corpus")
struct CorpusRewriteTests {
    static let directory = TestCorpora.directory

    static func rows() throws -> [(instruction: String, input: String)] {
        let path = directory + "/alpaca-gpt4-1k.jsonl"
        try #require(FileManager.default.fileExists(atPath: path), "corpus \(path) is missing: set TREEINSTRUCT_CORPORA")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(whereSeparator: \.isNewline).map { line in
            let row = try JSONValue.parse(String(line))
            guard case .string(let instruction) = row["instruction"] else { throw CorpusRowError(line: String(line)) }
            if case .string(let input) = row["input"] { return (instruction, input) }
            return (instruction, "")
        }
    }

    struct CorpusRowError: Error { let line: String }

    /// With room to grow (max 250 words), all 1000 rows pass both rounds.
    @Test(arguments: RewriteTemplate.allCases)
    func twoRoundsOfThreeNodesAreAllAccepted(template: RewriteTemplate) throws {
        let outcome = try Self.rewriteTwice(RewriteSettings(nodesToAdd: 3, maxWords: 250, template: template))
        #expect(outcome.accepted == 2000)
        #expect(outcome.failures.isEmpty, "first: \(outcome.failures.prefix(5).joined(separator: "\n"))")
        #expect(outcome.impossible == 0)
    }

    /// With the paper's bounds (12 to 100 words), a few long rows leave no valid answer at all
    /// (original + 12 > 100 words): those must be rejected as too long, every other accepted.
    @Test(arguments: RewriteTemplate.allCases)
    func twoRoundsWithThePapersBounds(template: RewriteTemplate) throws {
        let outcome = try Self.rewriteTwice(RewriteSettings(nodesToAdd: 3, template: template))
        #expect(outcome.failures.isEmpty, "first: \(outcome.failures.prefix(5).joined(separator: "\n"))")
        #expect(outcome.accepted + outcome.impossible == 2000)
        #expect(outcome.impossible < 20, "\(outcome.impossible) impossible rewrites")
    }

    struct Outcome {
        var accepted = 0
        /// Rewrites for which no answer can be valid; the simulator answered and was rejected.
        var impossible = 0
        var failures: [String] = []
    }

    static func rewriteTwice(_ settings: RewriteSettings) throws -> Outcome {
        let rows = try Self.rows()
        #expect(rows.count == 1000)
        let validator = RewriteValidator(settings: settings)
        var outcome = Outcome()
        for (index, row) in rows.enumerated() {
            var instruction = row.instruction
            for round in 1...2 {
                let possible = TextNormalization.wordCount(instruction) + settings.minAddedWords <= settings.maxWords
                let prompt = RewritePrompt.make(instruction: instruction, input: row.input, settings: settings)
                let builder = AnswerBuilder(messages: prompt.messages, seed: 42)
                guard case .rewrite(let read, let readInput, let readSettings) = builder.request,
                    read == instruction, readInput == row.input, readSettings.nodesToAdd == 3
                else {
                    outcome.failures.append("row \(index) round \(round): prompt not read back")
                    break
                }
                let result = validator.validate(content: builder.answer(), finishReason: "stop", instruction: instruction, input: row.input)
                switch (result, possible) {
                case (.success(let accepted), _):
                    outcome.accepted += 1
                    instruction = accepted.newInstruction
                case (.failure(let rejection), false) where rejection.code == .tooLong:
                    // The next round rewrites the same instruction again, as a pipeline would not; count it too.
                    outcome.impossible += 1
                case (.failure(let rejection), _):
                    outcome.failures.append("row \(index) round \(round): \(rejection)")
                }
            }
        }
        return outcome
    }
}
