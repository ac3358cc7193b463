import Testing
import TreeInstructCore

@Suite("Response validator")
struct ResponseValidatorTests {
    let validator = ResponseValidator()

    func code(_ content: String, instruction: String = "Give three tips for staying healthy.", input: String = "") -> String? {
        switch validator.validate(content: content, finishReason: "stop", instruction: instruction, input: input) {
        case .success: nil
        case .failure(let rejection): rejection.code.rawValue
        }
    }

    @Test func acceptsAnAnswerAndRejectsBadOnes() throws {
        #expect(
            try validator.validate(content: " 1. Eat well.\n2. Sleep. ", finishReason: "stop", instruction: "Give tips.").get()
                == "1. Eat well.\n2. Sleep.")
        #expect(throws: Rejection.self) { try validator.validate(content: "", finishReason: "stop", instruction: "x").get() }
        #expect(throws: Rejection(.truncated, "the answer hit the token limit (finish_reason length)")) {
            try validator.validate(content: "1. Eat", finishReason: "length", instruction: "x").get()
        }
        #expect(code("I'm sorry, but I cannot help.") == "refusal")
    }

    @Test(
        arguments: [
            ("Give three tips for staying healthy.", "echoed_instruction"),
            ("  give THREE tips for staying   healthy!! ", "echoed_instruction"),
            ("Instruction: Give three tips for staying healthy.", "echoed_instruction"),
            ("Step-1: Parse the old instruction into a semantic tree. Step-2: add 3 nodes.", "leaked_procedure"),
            ("{\"original_tree\": {\"label\": \"give\"}, \"new_instruction\": \"Give tips\"}", "leaked_procedure"),
            ("Instruction:\n<<<\nGive three tips\n>>>", "leaked_procedure"),
            ("... !!! ???", "degenerate"),
            ("tips tips tips tips tips tips", "degenerate"),
            ("1. Drink water. 2. Sleep eight hours. 3. Walk daily.", nil),
            ("Eat vegetables, exercise, and sleep well: three habits that build a healthy life.", nil),
        ] as [(String, String?)])
    func junkIsRejectedWithItsCode(answer: String, expected: String?) {
        #expect(code(answer) == expected, "\(answer)")
    }

    @Test func whatTheInstructionAskedForIsNotJunk() {
        #expect(code("hello hello hello hello", instruction: "Write the word hello four times.") == nil)
        #expect(
            code("A semantic tree maps each word to its role.", instruction: "Explain what a semantic tree is in NLP.") == nil)
        #expect(code("The cat sat.", instruction: "Repeat this sentence.", input: "The cat sat.") == nil)
        #expect(
            code("Repeat this sentence. The cat sat.", instruction: "Repeat this sentence.", input: "The cat sat.")
                == "echoed_instruction")
        #expect(code("In a binary search tree, new nodes go to the left or right.", instruction: "How do BSTs insert?") == nil)
    }
}
