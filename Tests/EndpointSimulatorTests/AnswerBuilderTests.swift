import EndpointSimulator
import Foundation
import Testing
import TreeInstructCore

/// The simulator's answers, built directly (no HTTP): each must pass the core's validators
/// exactly as a good model's would, and each fault answer must fail them.
@Suite("Answer builder")
struct AnswerBuilderTests {
    static let instruction = "Write a short poem about the sea at night."

    static func rewriteMessages(_ instruction: String, input: String = "", settings: RewriteSettings) -> [ChatMessage] {
        RewritePrompt.make(instruction: instruction, input: input, settings: settings).messages
    }

    @Test(arguments: RewriteTemplate.allCases, [1, 3, 6])
    func rewritePassesTheValidator(template: RewriteTemplate, nodes: Int) throws {
        let settings = RewriteSettings(nodesToAdd: nodes, template: template)
        let builder = AnswerBuilder(messages: Self.rewriteMessages(Self.instruction, settings: settings), seed: 7)
        let content = builder.answer()
        let accepted = try RewriteValidator(settings: settings)
            .validate(content: content, finishReason: "stop", instruction: Self.instruction).get()
        #expect(accepted.newInstruction.hasPrefix(Self.instruction))
        if template == .structured {
            #expect(accepted.addedNodes.count == nodes)
            let original = try #require(accepted.originalTree)
            let expanded = try #require(accepted.expandedTree)
            #expect(TreeExpansion(original: original, expanded: expanded).isExpansion(byExactly: nodes))
            #expect(original.allLabels.allSatisfy { TextNormalization.words(Self.instruction).contains($0) })
        } else {
            #expect(!content.contains("{"))
        }
    }

    @Test func sameSeedSameAnswerOtherSeedOtherAnswer() {
        let messages = Self.rewriteMessages(Self.instruction, settings: RewriteSettings())
        let first = AnswerBuilder(messages: messages, seed: 1).answer()
        #expect(AnswerBuilder(messages: messages, seed: 1).answer() == first)
        let others = Set((2...6).map { AnswerBuilder(messages: messages, seed: UInt64($0)).answer() })
        #expect(others.contains { $0 != first })
    }

    @Test func addedLabelsAreNewAndDepthIsKept() throws {
        // The prompt does not state the depth limit, so the builder is called with it directly.
        let settings = RewriteSettings(nodesToAdd: 8, maxDepth: 3)
        for seed in 0..<50 as Range<UInt64> {
            var random = SeededRandom(seed: seed)
            let answer = RewriteAnswerBuilder.build(instruction: Self.instruction, input: "", settings: settings, random: &random)
            let accepted = try RewriteValidator(settings: settings)
                .validate(content: answer.content(for: .structured), finishReason: "stop", instruction: Self.instruction).get()
            #expect(try #require(accepted.expandedTree).depth <= 3)
            let present = Set(TextNormalization.words(Self.instruction))
            for label in accepted.addedNodes {
                #expect(ContentWords.coverage(of: label, in: present) == 0, "\(label) was already in the instruction")
            }
        }
    }

    @Test func wordRangeIsMetWheneverItCanBe() throws {
        // From generous to tight to impossible: with room the answer is accepted, without it rejected.
        let sentence = "Describe the colour of the morning sky over the harbour."
        for repeats in 1...12 {
            let instruction = Array(repeating: sentence, count: repeats).joined(separator: " ")
            let words = TextNormalization.wordCount(instruction)
            for maxWords in [words + 12, words + 13, words + 20, 100] {
                let settings = RewriteSettings(nodesToAdd: 3, maxWords: maxWords)
                let content = AnswerBuilder(messages: Self.rewriteMessages(instruction, settings: settings), seed: UInt64(repeats)).answer()
                let result = RewriteValidator(settings: settings).validate(content: content, finishReason: "stop", instruction: instruction)
                if words + 12 <= maxWords {
                    #expect(result.failureCode == nil, "\(words) words, max \(maxWords): \(result)")
                } else {
                    #expect(result.failureCode == .tooLong)
                }
            }
        }
    }

    @Test func respondAnswerPassesAndSaysItIsSimulated() throws {
        let prompt = ResponsePrompt.make(instruction: Self.instruction, input: "")
        let content = AnswerBuilder(messages: prompt.messages, seed: 3).answer()
        let text = try ResponseValidator().validate(content: content, finishReason: "stop", instruction: Self.instruction).get()
        #expect(text.lowercased().contains("simulat"))
    }

    @Test func unrecognizedPromptSaysWhatItIs() throws {
        let messages = [ChatMessage(.user, "Hello there")]
        let plain = AnswerBuilder(messages: messages, seed: 1)
        #expect(plain.request == nil)
        #expect(plain.answer().contains("TreeInstruct endpoint simulator"))
        let json = AnswerBuilder(messages: messages, seed: 1, wantsJSON: true).answer()
        #expect(try JSONValue.parse(json)["simulator"] == .string("treeinstruct"))
    }

    @Test(arguments: RewriteTemplate.allCases)
    func invalidAnswersFailValidation(template: RewriteTemplate) {
        let settings = RewriteSettings(nodesToAdd: 3, template: template)
        let builder = AnswerBuilder(messages: Self.rewriteMessages(Self.instruction, settings: settings), seed: 11)
        var codes = Set<RejectionCode>()
        var random = SeededRandom(seed: 5)
        for _ in 0..<40 {
            let content = builder.invalidAnswer(random: &random)
            let result = RewriteValidator(settings: settings).validate(content: content, finishReason: "stop", instruction: Self.instruction)
            guard case .failure(let rejection) = result else {
                Issue.record("accepted an invalid answer: \(content)")
                continue
            }
            codes.insert(rejection.code)
        }
        let expected: Set<RejectionCode> =
            template == .structured
            ? [.wrongAddedCount, .schemaMismatch, .tooShort]
            : [.tooShort, .unchanged]
        #expect(codes == expected)
    }

    @Test func refusalAndTruncationFailValidation() {
        let settings = RewriteSettings()
        let builder = AnswerBuilder(messages: Self.rewriteMessages(Self.instruction, settings: settings), seed: 2)
        let validator = RewriteValidator(settings: settings)
        let refusal = validator.validate(content: AnswerBuilder.refusal, finishReason: "stop", instruction: Self.instruction)
        #expect(refusal.failureCode == .refusal)
        var random = SeededRandom(seed: 1)
        let cut = AnswerBuilder.truncated(builder.answer(), random: &random)
        #expect(cut.count < builder.answer().count)
        #expect(validator.validate(content: cut, finishReason: "length", instruction: Self.instruction).failureCode == .truncated)
        #expect(validator.validate(content: cut, finishReason: "stop", instruction: Self.instruction).failureCode == .malformedJSON)
    }

    @Test(arguments: ["", "The quick brown fox jumps over the lazy dog."])
    func everyJunkResponseIsRejected(input: String) {
        let respond = ResponsePrompt.make(instruction: Self.instruction, input: input)
        let builder = AnswerBuilder(messages: respond.messages, seed: 1)
        var random = SeededRandom(seed: 9)
        var codes: Set<RejectionCode> = []
        for _ in 0..<60 {
            let junk = builder.invalidAnswer(random: &random)
            let code = ResponseValidator().validate(content: junk, finishReason: "stop", instruction: Self.instruction, input: input).failureCode
            #expect(code != nil, "accepted: \(junk)")
            if let code { codes.insert(code) }
        }
        #expect(codes == [.empty, .echoedInstruction, .leakedProcedure, .degenerate])
    }

    @Test func tooLongInstructionIsAnsweredAndRejected() {
        let long = Array(repeating: "Describe the colour of the morning sky carefully.", count: 12).joined(separator: " ")
        let settings = RewriteSettings()
        let content = AnswerBuilder(messages: Self.rewriteMessages(long, settings: settings), seed: 1).answer()
        #expect(RewriteValidator(settings: settings).validate(content: content, finishReason: "stop", instruction: long).failureCode == .tooLong)
    }

    @Test func vocabularyClausesUseTheirLabelsAndNoProcedureWords() {
        let forbidden = ["tree", "node", "semantic", "pars", "instruction", "sorry", "cannot", "can't", "http", "www"]
        #expect(Set(ModifierVocabulary.entries.map(\.label)).count == ModifierVocabulary.entries.count)
        for entry in ModifierVocabulary.entries {
            #expect(entry.shortClause.contains(entry.label), "\(entry.label)")
            #expect(entry.longClause.contains(entry.label), "\(entry.label)")
            #expect(TextNormalization.wordCount(entry.longClause) > TextNormalization.wordCount(entry.shortClause))
            for word in forbidden {
                #expect(!entry.longClause.lowercased().contains(word) && !entry.shortClause.lowercased().contains(word), "\(entry.label): \(word)")
            }
        }
    }
}

extension Result where Failure == Rejection {
    var failureCode: RejectionCode? {
        if case .failure(let rejection) = self { return rejection.code }
        return nil
    }
}
