import Testing

@testable import TreeInstructCore

/// Rewrites the method accepts and an earlier validator rejected (issue 18, from a replay of the
/// paper's GPT-4 outputs), each class with the rule that must still hold next to it.
@Suite("False rejections")
struct FalseRejectionTests {
    static let plain = RewriteValidator(settings: RewriteSettings(template: .plain))

    static func code(_ rewrite: String, of original: String, input: String = "") -> RejectionCode? {
        switch plain.validate(content: rewrite, finishReason: "stop", instruction: original, input: input) {
        case .success: nil
        case .failure(let rejection): rejection.code
        }
    }

    @Test func aURLTheOriginalHasIsNotNewWhateverIsGluedToIt() {
        let original = "Summarize the main idea of the essay at https://example.org/essays/time in two sentences."
        let glued =
            "Summarize the main idea of the essay \"on time's essence.\"https://example.org/essays/time/ in two sentences, naming its thesis, one supporting argument and one objection a critic might raise."
        #expect(Self.code(glued, of: original) == nil)
        let parenthesised =
            "Summarize the main idea of the essay (https://example.org/essays/time) in two sentences, naming its thesis, one supporting argument and one objection a critic might raise."
        #expect(Self.code(parenthesised, of: original) == nil)
        // A URL the original lacks is still refused, glued or not.
        let added =
            "Summarize the main idea of the essay at https://example.org/essays/time in two sentences, comparing it with \"the review\"(https://reviews.example.com/time) and naming one objection."
        #expect(Self.code(added, of: original) == .urlIntroduced)
        #expect(TextChecks.urlTokens("see essence.\"https://a.example.org/x\".") == ["https://a.example.org/x"])
        #expect(TextChecks.urlTokens("(www.example.com),") == ["www.example.com"])
        #expect(TextChecks.urlTokens("a sentence. Another one: fine") == [])
        // The byte test that skips the search never skips a text the search finds a URL in.
        for text in [
            "www.", "WWW. x", "awww.", "a.b", "x:/", "e.g. this", "Ünï.テスト", "foo.COM", "http:/", "ftp://x", "end.",
            "no url here.", "3.14", "x.\u{00E9}t\u{00E9}", "(Example.Org)", "wwW.", "mail:me", "a. b. c.", "..", ".",
        ] where !TextChecks.mayHoldURL(text) {
            #expect(TextChecks.searchURLTokens(text) == [], "\(text)")
        }
        #expect(!TextChecks.mayHoldURL("Give three tips for staying healthy. Be brief: one line each."))
    }

    @Test func semanticAndTreesAsOrdinaryContentAreNotLeaks() {
        let original = "Explain what makes a sentence meaningful."
        let semantic =
            "Explain what makes a sentence meaningful, considering the semantic value of each constituent, how word order affects semantic coherence, and one example where grammar alone fails."
        #expect(Self.code(semantic, of: original) == nil)
        let forest = "Describe a tree in autumn."
        let trees =
            "Describe a tree in autumn, contrasting how maple and oak trees change colour, why their leaves fall, and what animals gather beneath them during the first frosts."
        #expect(Self.code(trees, of: forest) == nil)
        // The procedure's own phrases and words the original lacks still leak.
        #expect(Self.code(semantic + " Use the semantic tree.", of: original) == .leakedProcedure)
        #expect(Self.code(semantic + " Add three nodes.", of: original) == .leakedProcedure)
        let linkedList = "Explain how to delete a node from a linked list."
        let nodes =
            "Explain how to delete a node from a linked list, covering the head and tail nodes, what happens to the neighbouring pointers, and the time each case takes."
        #expect(Self.code(nodes, of: linkedList) == nil)  // the original has "node": "nodes" is its word
    }

    @Test func anAnswerInOurFencesIsUnwrapped() {
        let original = "Give three tips for staying healthy."
        let good =
            "Give three tips for staying healthy that suit busy professionals, support each tip with scientific evidence, and explain how to fit all three into a realistic weekly schedule."
        #expect(Self.code("<<<\n" + good + "\n>>>", of: original) == nil)
        #expect(Self.code("<<< " + good, of: original) == nil)
        #expect(Self.code("Give three tips <<< for staying healthy >>> " + good, of: original) == .leakedProcedure)
    }

    @Test func thePromptStatesThePapersURLRule() {
        let prompt = RewritePrompt.make(instruction: "Read https://example.org.", input: "", settings: RewriteSettings(template: .plain))
            .messages.map(\.content).joined(separator: "\n")
        #expect(prompt.contains("add no URL or link the original does not have"))
        #expect(!prompt.contains("contain no URL"))
    }
}
