import Testing

@testable import TreeInstructCore

/// An input pasted at the end of its instruction is read once (issue 18).
@Suite("Pasted inputs")
struct PastedInputTests {
    @Test func theInstructionsOwnWordsAreFoundWhateverTheWhiteSpace() {
        #expect(PastedInput.ownWords(of: "Summarize this text.\nThe cat sat on the mat.", input: "The cat sat on the mat.") == "Summarize this text.")
        #expect(
            PastedInput.ownWords(of: "Summarize this text:  The cat\nsat on the mat. ", input: "The cat sat  on the mat.") == "Summarize this text:")
        // As the Alpaca-GPT4 rows have it: glued on, in quotes.
        #expect(
            PastedInput.ownWords(of: "Find a noun phrase.\"In the morning, my dog walks.\"", input: "In the morning, my dog walks.")
                == "Find a noun phrase.")
    }

    @Test func otherwiseTheInstructionIsLeftAlone() {
        let instruction = "Summarize this text."
        #expect(PastedInput.ownWords(of: instruction, input: "") == instruction)
        #expect(PastedInput.ownWords(of: instruction, input: "A different text.") == instruction)
        #expect(PastedInput.ownWords(of: "The cat sat.", input: "The cat sat.") == "The cat sat.")  // nothing would be left
        #expect(PastedInput.ownWords(of: "The cat sat. Summarize it.", input: "The cat sat.") == "The cat sat. Summarize it.")  // not at the end
        #expect(PastedInput.ownWords(of: "Name the capital, Paris", input: "aris") == "Name the capital, Paris")  // not a whole word
    }

    @Test func wordLimitsCountTheInstructionsOwnWords() {
        let input = Array(repeating: "word", count: 95).joined(separator: " ")
        let record = InstructionRecord(instruction: "Count the words below.\n" + input, input: input, line: 1)
        let config = RunConfig(rewrite: RewriteSettings(nodesToAdd: 3, maxWords: 100), rounds: 1, model: "m")
        // 99 words pasted together would leave no room for +12; the instruction's own 4 do.
        #expect(config.cannotGrow(record, file: "f") == nil)
        #expect(config.rewrite.minimumWords(forOriginal: PastedInput.ownWords(of: record.instruction, input: input)) == 4 + 12)
    }
}
