import TreeInstructCore

/// Decides what the simulator says to one chat: reads the prompt with ``PromptReader`` and
/// answers as a well-behaved model would (a rewrite that passes ``RewriteValidator``, a clearly
/// simulated response that passes ``ResponseValidator``), or, on request, the bad answers the
/// fault injector needs. Pure and deterministic: the same messages and seed give the same text.
public struct AnswerBuilder: Sendable {
    /// The content of a refusal, as models phrase it.
    public static let refusal = "I'm sorry, but I can't help with that."

    /// What was asked, or nil for a prompt TreeInstruct did not write.
    public let request: PromptReader.Request?
    /// Whether the caller asked for JSON (response_format json_object or json_schema).
    public let wantsJSON: Bool
    private let seed: UInt64

    public init(messages: [ChatMessage], seed: UInt64, wantsJSON: Bool = false) {
        self.request = PromptReader.read(messages)
        self.wantsJSON = wantsJSON
        self.seed = seed ^ StableHash.of(messages.flatMap { [$0.role.rawValue, $0.content] })
    }

    /// The answer that passes validation.
    public func answer() -> String {
        switch request {
        case .rewrite(let instruction, let input, let settings):
            var random = SeededRandom(seed: seed)
            return RewriteAnswerBuilder.build(instruction: instruction, input: input, settings: settings, random: &random)
                .content(for: settings.template)
        case .respond(let text):
            return SimulatedText.response(to: text)
        case nil:
            return wantsJSON ? SimulatedText.unrecognizedJSON : SimulatedText.unrecognized
        }
    }

    /// A well-formed answer that the validators reject: for a rewrite a wrong number of added
    /// nodes, a missing field, a too-short or unchanged instruction; for a response the junk
    /// weak models write: the instruction handed back, rewrite-procedure text, one word over
    /// and over, punctuation only, or nothing.
    public func invalidAnswer(random: inout SeededRandom) -> String {
        guard case .rewrite(let instruction, let input, let settings) = request else {
            guard case .respond(let text) = request else { return "" }
            return Self.junkResponses(to: text)[Int.random(in: 0..<5, using: &random)]
        }
        var answerRandom = SeededRandom(seed: seed)
        var answer = RewriteAnswerBuilder.build(instruction: instruction, input: input, settings: settings, random: &answerRandom)
        let tooShort = RewriteAnswerBuilder.withClosingPunctuation(instruction.trimmingWhitespace()) + " Be thorough."
        let canBeTooShort = TextNormalization.wordCount(tooShort) < settings.minimumWords(forOriginal: instruction)
        switch (settings.template, Int.random(in: 0..<4, using: &random)) {
        case (.structured, 0) where !answer.addedLabels.isEmpty:
            let dropped = answer.addedLabels.removeLast()
            answer.expandedTree = Self.removing(dropped, from: answer.expandedTree)
            return answer.structuredJSON()
        case (.structured, 1):
            let avoided = answer.newInstruction + "\n" + input
            guard let extra = RewriteAnswerBuilder.chooseEntries(count: 1, avoiding: avoided, random: &random).first else {
                return answer.structuredJSON(omitAddedNodes: true)
            }
            answer.expandedTree.children.append(SemanticNode(extra.label))
            answer.addedLabels.append(extra.label)
            return answer.structuredJSON()
        case (.structured, 2):
            return answer.structuredJSON(omitAddedNodes: true)
        case (.structured, _):
            answer.newInstruction = canBeTooShort ? tooShort : instruction
            return answer.structuredJSON()
        case (.plain, _):
            return canBeTooShort && random.coin() ? tooShort : instruction
        }
    }

    static func junkResponses(to text: String) -> [String] {
        [
            text,
            "Step-1: Parse the old instruction into a semantic tree. Step-2: Add 3 nodes to the tree.",
            Array(repeating: "answer", count: 12).joined(separator: " "),
            "... ... !!!",
            "",
        ]
    }

    /// `content` cut part-way, as a model stopped by its token limit leaves it.
    public static func truncated(_ content: String, random: inout SeededRandom) -> String {
        let scalars = content.unicodeScalars
        guard scalars.count > 1 else { return content }
        let keep = max(1, Int(Double(scalars.count) * (0.3 + 0.4 * random.unit())))
        return String(String.UnicodeScalarView(scalars.prefix(keep)))
    }

    private static func removing(_ label: String, from node: SemanticNode) -> SemanticNode {
        var node = node
        if let index = node.children.firstIndex(where: { $0.label == label }) {
            node.children.remove(at: index)
        } else {
            node.children = node.children.map { removing(label, from: $0) }
        }
        return node
    }
}
