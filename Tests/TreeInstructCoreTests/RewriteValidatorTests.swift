import Testing
import TreeInstructCore

/// One realistic model answer per rejection code, plus the answers that must pass.
@Suite("Rewrite validator")
struct RewriteValidatorTests {
    static let instruction = "Give three tips for staying healthy."
    static let validator = RewriteValidator(settings: RewriteSettings(nodesToAdd: 3))

    static let originalTree =
        #"{"label": "give", "children": [{"label": "tips", "children": [{"label": "three", "children": []}, {"label": "staying healthy", "children": []}]}]}"#

    static let expandedTree =
        #"{"label": "give", "children": [{"label": "tips", "children": [{"label": "three", "children": []}, {"label": "staying healthy", "children": [{"label": "busy professionals", "children": []}]}, {"label": "scientific evidence", "children": []}]}, {"label": "weekly schedule", "children": []}]}"#

    static let goodInstruction =
        "Give three tips for staying healthy that suit busy professionals, support each tip with scientific evidence, and explain how to fit all three into a realistic weekly schedule."

    static func answer(
        original: String = originalTree, expanded: String = expandedTree,
        added: [String] = ["busy professionals", "scientific evidence", "weekly schedule"],
        instruction: String = goodInstruction
    ) -> String {
        let addedJSON = added.map { "\"\($0)\"" }.joined(separator: ", ")
        let escaped = instruction.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
        return """
            {"original_tree": \(original), "expanded_tree": \(expanded), "added_nodes": [\(addedJSON)], "new_instruction": "\(escaped)"}
            """
    }

    func rejection(
        _ content: String, finish: String? = "stop", validator: RewriteValidator = validator,
        instruction: String = instruction, input: String = ""
    ) -> Rejection? {
        if case .failure(let rejection) = validator.validate(content: content, finishReason: finish, instruction: instruction, input: input) {
            return rejection
        }
        return nil
    }

    @Test func acceptsAGoodStructuredRewrite() throws {
        let result = Self.validator.validate(content: Self.answer(), finishReason: "stop", instruction: Self.instruction)
        let accepted = try result.get()
        #expect(accepted.newInstruction == Self.goodInstruction)
        #expect(accepted.addedNodes.count == 3)
        #expect(accepted.expandedTree?.nodeCount == 7)
        #expect(accepted.originalTree?.nodeCount == 4)
        #expect(accepted.wordCount == 28)
    }

    @Test func acceptsAFencedAnswer() throws {
        let fenced = "```json\n" + Self.answer() + "\n```"
        #expect(throws: Never.self) { try Self.validator.validate(content: fenced, finishReason: "stop", instruction: Self.instruction).get() }
    }

    @Test func acceptsAGoodPlainRewrite() throws {
        let plain = RewriteValidator(settings: RewriteSettings(template: .plain))
        let accepted = try plain.validate(content: "\"" + Self.goodInstruction + "\"", finishReason: "stop", instruction: Self.instruction).get()
        #expect(accepted.newInstruction == Self.goodInstruction)
        #expect(accepted.expandedTree == nil)
    }

    @Test func empty() {
        #expect(rejection("")?.code == .empty)
        #expect(rejection("  \n ")?.code == .empty)
        #expect(rejection(Self.answer(instruction: "   "))?.code == .empty)
    }

    @Test func truncated() {
        let cut = String(Self.answer().prefix(150))
        #expect(rejection(cut, finish: "length")?.code == .truncated)
    }

    @Test func refusal() {
        #expect(rejection("I'm sorry, but I can't help with rewriting this instruction.")?.code == .refusal)
        #expect(
            rejection(Self.answer(instruction: "I cannot make this instruction harder because it concerns personal health advice."))?.code == .refusal
        )
        #expect(rejection(Self.answer(), finish: "content_filter")?.code == .refusal)
    }

    @Test func malformedJSON() {
        let singleQuoted = "{'original_tree': {'label': 'give', 'children': []}, 'new_instruction': 'Give tips'}"
        #expect(rejection(singleQuoted)?.code == .malformedJSON)
        #expect(rejection("Here is the rewritten instruction: Give three tips for staying healthy.")?.code != nil)
        let trailingComma = #"{"original_tree": {"label": "give", "children": []},}"#
        #expect(rejection(trailingComma)?.code == .malformedJSON)
    }

    @Test func schemaMismatch() {
        let missingField =
            #"{"original_tree": {"label": "give", "children": []}, "expanded_tree": {"label": "give", "children": []}, "added_nodes": []}"#
        let rejected = rejection(missingField)
        #expect(rejected?.code == .schemaMismatch)
        #expect(rejected?.detail.contains("new_instruction") == true)
        let childrenAsString = Self.answer(expanded: #"{"label": "give", "children": "tips, three"}"#)
        #expect(rejection(childrenAsString)?.code == .schemaMismatch)
        #expect(rejection(childrenAsString)?.detail == "expanded_tree.children is a string, expected an array")
        let numberLabel = Self.answer(expanded: #"{"label": "give", "children": [{"label": 3, "children": []}]}"#)
        #expect(rejection(numberLabel)?.detail == "expanded_tree.children[0].label is a number, expected a string")
        #expect(rejection("[\"Give three tips\"]")?.code == .schemaMismatch)
        #expect(rejection("[\"Give three tips\"]")?.detail == "the answer is an array, expected an object")
    }

    @Test func answeredInstead() {
        let answered =
            "Sure! Here are three tips for staying healthy: 1. Eat a balanced diet rich in vegetables. 2. Exercise for at least 30 minutes a day. 3. Sleep seven to eight hours every night."
        #expect(rejection(Self.answer(instruction: answered))?.code == .answeredInstead)
        let labelled =
            "Give three tips for staying healthy for busy professionals with scientific evidence and a weekly schedule.\nAnswer: 1. Walk to work. 2. Cook on Sundays. 3. Sleep early."
        #expect(rejection(Self.answer(instruction: labelled))?.code == .answeredInstead)
    }

    @Test func unchanged() {
        #expect(rejection(Self.answer(instruction: "give three tips for  staying healthy."))?.code == .unchanged)
    }

    @Test func wrongAddedCount() {
        let twoAdded =
            #"{"label": "give", "children": [{"label": "tips", "children": [{"label": "three", "children": []}, {"label": "staying healthy", "children": [{"label": "busy professionals", "children": []}]}, {"label": "scientific evidence", "children": []}]}]}"#
        let rejected = rejection(Self.answer(expanded: twoAdded, added: ["busy professionals", "scientific evidence", "weekly schedule"]))
        #expect(rejected?.code == .wrongAddedCount)
        #expect(rejected?.detail.contains("2 new nodes") == true)
        #expect(rejection(Self.answer(added: ["busy professionals", "scientific evidence"]))?.code == .wrongAddedCount)
        #expect(rejection(Self.answer(added: ["busy professionals", "scientific evidence", "morning routine"]))?.code == .wrongAddedCount)
    }

    @Test func originalNotPreserved() {
        // The model dropped "three" while adding its nodes, and padded with a fourth one.
        let dropped =
            #"{"label": "give", "children": [{"label": "tips", "children": [{"label": "staying healthy", "children": [{"label": "busy professionals", "children": []}]}, {"label": "scientific evidence", "children": []}, {"label": "diet", "children": []}]}, {"label": "weekly schedule", "children": []}]}"#
        let rejected = rejection(Self.answer(expanded: dropped))
        #expect(rejected?.code == .originalNotPreserved)
        #expect(rejected?.detail.contains("three") == true)
        // The expanded tree is consistent, but the original tree describes another instruction.
        let invented =
            #"{"label": "write", "children": [{"label": "poem", "children": [{"label": "ocean", "children": []}, {"label": "sunset", "children": []}]}]}"#
        let inventedExpanded =
            #"{"label": "write", "children": [{"label": "poem", "children": [{"label": "ocean", "children": []}, {"label": "sunset", "children": []}, {"label": "busy professionals", "children": []}, {"label": "scientific evidence", "children": []}, {"label": "weekly schedule", "children": []}]}]}"#
        #expect(rejection(Self.answer(original: invented, expanded: inventedExpanded))?.code == .originalNotPreserved)
    }

    @Test func depthExceeded() {
        let shallow = RewriteValidator(settings: RewriteSettings(nodesToAdd: 3, maxDepth: 3))
        let rejected = rejection(Self.answer(), validator: shallow)
        #expect(rejected?.code == .depthExceeded)
        #expect(rejected?.detail.contains("4 levels") == true)
    }

    @Test func urlIntroduced() {
        let withURL = Self.goodInstruction + " Cite guidance from https://www.who.int/health-topics where relevant."
        #expect(rejection(Self.answer(instruction: withURL))?.code == .urlIntroduced)
        let bareDomain = Self.goodInstruction + " Base it on advice published at healthline.com."
        #expect(rejection(Self.answer(instruction: bareDomain))?.code == .urlIntroduced)
        // A URL the original already had is not introduced.
        let original = "Summarize the article at https://example.com/health in one paragraph."
        let keeps = RewriteValidator(settings: RewriteSettings(template: .plain))
        let rewrite =
            "Summarize the article at https://example.com/health in one paragraph for busy professionals, listing its scientific evidence and turning its advice into a weekly schedule."
        #expect(rejection(rewrite, validator: keeps, instruction: original) == nil)
    }

    @Test func leakedProcedure() {
        let leaked =
            "Using the expanded semantic tree, give three tips for staying healthy that suit busy professionals, backed by scientific evidence, within a weekly schedule."
        let rejected = rejection(Self.answer(instruction: leaked))
        #expect(rejected?.code == .leakedProcedure)
        #expect(rejected?.detail.contains("semantic") == true)
        let marker =
            "New instruction: give three tips for staying healthy that suit busy professionals, backed by scientific evidence and a weekly schedule."
        #expect(rejection(Self.answer(instruction: marker))?.code == .leakedProcedure)
        // Words that were in the original are not leaks.
        let treeInstruction = "Explain how a decision tree splits nodes."
        let plain = RewriteValidator(settings: RewriteSettings(template: .plain))
        let rewrite =
            "Explain how a decision tree splits nodes on numeric and categorical features, compare the Gini and entropy criteria, and describe how pruning limits overfitting on small datasets."
        #expect(rejection(rewrite, validator: plain, instruction: treeInstruction) == nil)
    }

    @Test func languageChanged() {
        let plain = RewriteValidator(settings: RewriteSettings(template: .plain))
        let original = "给出三个保持健康的建议。"
        let english =
            "Give three tips for staying healthy that suit busy professionals, support each tip with scientific evidence, and fit them into a weekly schedule."
        #expect(rejection(english, validator: plain, instruction: original)?.code == .languageChanged)
    }

    @Test func tooLong() {
        let long =
            Self.goodInstruction + " "
            + Array(repeating: "Describe the expected benefits for energy, mood and focus in detail.", count: 8).joined(separator: " ")
        let rejected = rejection(Self.answer(instruction: long))
        #expect(rejected?.code == .tooLong)
        #expect(rejected?.detail.contains("at most 100") == true)
    }

    @Test func tooShort() {
        let short = "Give three tips for staying healthy for busy professionals using scientific evidence and a weekly schedule."
        let rejected = rejection(Self.answer(instruction: short))
        #expect(rejected?.code == .tooShort)
        #expect(rejected?.detail.contains("at least 18") == true, "\(String(describing: rejected))")
    }

    @Test func addedNotUsed() {
        let unused =
            "Give three tips for staying healthy that suit busy professionals, support each tip with scientific evidence, and explain how each tip can be kept up during stressful periods."
        let rejected = rejection(Self.answer(instruction: unused))
        #expect(rejected?.code == .addedNotUsed)
        #expect(rejected?.detail.contains("weekly schedule") == true)
    }

    @Test func inflectedAddedWordsCountAsUsed() {
        let inflected = Self.goodInstruction.replacingOccurrences(of: "scientific evidence", with: "evidence from science")
        // "scientific" shares "scien" with "science", so the node is used.
        #expect(rejection(Self.answer(instruction: inflected)) == nil)
    }

    @Test func plainModeGetsEveryTextCheck() {
        let plain = RewriteValidator(settings: RewriteSettings(template: .plain))
        #expect(rejection("", validator: plain)?.code == .empty)
        #expect(rejection(Self.goodInstruction, finish: "length", validator: plain)?.code == .truncated)
        #expect(rejection("I'm sorry, I can't do that.", validator: plain)?.code == .refusal)
        #expect(rejection("Sure! 1. Eat well 2. Sleep 3. Move", validator: plain)?.code == .answeredInstead)
        #expect(rejection(Self.instruction, validator: plain)?.code == .unchanged)
        #expect(rejection(Self.goodInstruction + " See www.nhs.uk for ideas.", validator: plain)?.code == .urlIntroduced)
        #expect(rejection("Rewrite of the semantic tree: " + Self.goodInstruction, validator: plain)?.code == .leakedProcedure)
        #expect(rejection("Give three tips for staying healthy at work.", validator: plain)?.code == .tooShort)
    }

    @Test func everyCodeIsCoveredByATest() {
        // Keeps this suite honest when a code is added: each one needs an answer above.
        let covered: Set<RejectionCode> = [
            .empty, .truncated, .refusal, .malformedJSON, .schemaMismatch, .answeredInstead, .unchanged,
            .wrongAddedCount, .originalNotPreserved, .depthExceeded, .urlIntroduced, .leakedProcedure,
            .languageChanged, .tooLong, .tooShort, .addedNotUsed,
            // Response codes, covered in ResponseValidatorTests.
            .echoedInstruction, .degenerate,
        ]
        #expect(covered == Set(RejectionCode.allCases))
    }

    @Test func inputIsPartOfTheOriginal() {
        // A URL in the input is not "introduced" by a rewrite that mentions it.
        let plain = RewriteValidator(settings: RewriteSettings(template: .plain))
        let rewrite =
            "Summarize the page at example.org in three sentences for busy professionals, naming its scientific evidence and proposing a weekly schedule that follows from it."
        #expect(rejection(rewrite, validator: plain, instruction: "Summarize the page.", input: "example.org") == nil)
    }
}
