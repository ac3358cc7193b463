/// Checks on the respond stage's answer: junk that is neither empty nor a refusal, and that
/// would otherwise become a training target. Each looks only for what the instruction lacks.
enum ResponseChecks {
    /// Wording of a rewrite procedure (ours, the paper's, or its JSON fields): an answer that
    /// carries it is procedure text, not an answer. Tree words alone are not in the list, since
    /// answers about trees are common.
    static let procedurePhrases = [
        "old instruction", "new instruction", "original instruction", "rewritten instruction",
        "given instruction", "expanded instruction", "semantic tree", "tree of meaning", "grown tree",
        "original_tree", "expanded_tree", "added_nodes",
        "new_instruction", "parse the instruction",
        PromptMarkers.open, PromptMarkers.close,
    ]

    /// Procedure phrases in the answer that the instruction and input do not contain.
    static func procedure(in answer: TextProfile, asked: TextProfile) -> [String] {
        procedurePhrases.filter { answer.mentions($0) && !asked.mentions($0) }
    }

    /// Whether the answer's words are the instruction's (or the instruction's and the input's),
    /// give or take a label and punctuation: the model handed the question back.
    static func echoes(_ answer: TextProfile, instruction: String, input: String) -> Bool {
        let words = answer.words.drop { labels.contains($0) }
        guard !words.isEmpty else { return false }
        let asked = TextNormalization.words(instruction)
        return words.elementsEqual(asked) || words.elementsEqual(asked + TextNormalization.words(input))
    }

    static let labels: Set<String> = ["instruction", "question", "prompt", "task", "user"]

    /// Why the answer is degenerate, or nil: no letter or digit at all, or a single word
    /// repeated, unless the instruction asks for a repetition of that very word.
    static func degenerate(_ answer: TextProfile, asked: TextProfile) -> String? {
        if answer.words.isEmpty { return "has no letter or digit" }
        guard answer.words.count >= 3, answer.vocabulary.count == 1, let word = answer.words.first else { return nil }
        let askedForRepetition = asked.vocabulary.contains(word) && !asked.vocabulary.isDisjoint(with: repetitionWords)
        return askedForRepetition ? nil : "repeats \"\(word.prefix(40))\" \(answer.words.count) times"
    }

    static let repetitionWords: Set<String> = ["times", "repeat", "repeated", "repeating", "repetition"]
}
