/// Checks on the text of a rewrite that need no tree: each returns what it found, or nothing.
/// Every check looks only for what the original did not already have.
enum TextChecks {
    static let refusalOpenings = [
        "i'm sorry", "i am sorry", "sorry, i", "i cannot", "i can't", "i can not", "i'm unable",
        "i am unable", "i won't", "i will not", "as an ai", "as a language model", "i apologize",
    ]

    static let answerOpenings = [
        "sure", "certainly", "of course", "absolutely", "here is", "here's", "here are",
        "answer:", "response:", "output:", "solution:", "the answer is", "great question",
    ]

    static let answerLabels = ["answer:", "solution:", "response:", "output:"]

    /// Words of the procedure itself; in a rewrite they mean the prompt showed through.
    static let procedureWords: Set<String> = [
        "tree", "trees", "subtree", "node", "nodes", "semantic", "parse", "parsed", "parsing",
    ]
    static let procedurePhrases = [
        "new instruction", "original instruction", "rewritten instruction", "expanded instruction",
        "original_tree", "expanded_tree", "added_nodes", "new_instruction",
        PromptMarkers.open, PromptMarkers.close,
    ]

    /// A refusal phrase the rewrite opens with (or has in its first sentence) and the original lacks.
    static func refusal(in text: TextProfile, original: TextProfile) -> String? {
        refusalOpenings.first { text.opensWith($0, within: 160) && !original.mentions($0) }
    }

    /// Signs that the model answered the instruction rather than rewriting it.
    static func answer(in text: TextProfile, original: TextProfile) -> String? {
        let lower = text.lowered
        let base = original.lowered
        if let opening = answerOpenings.first(where: { startsWithWord(lower, $0) && !startsWithWord(base, $0) }) {
            return "opens with \"\(opening)\""
        }
        let lines = text.text.lowercased().split(whereSeparator: \.isNewline).map { TextNormalization.trimmed(String($0)) }
        if let label = answerLabels.first(where: { label in lines.contains { $0.hasPrefix(label) } && !original.mentions(label) }) {
            return "has a line starting \"\(label)\""
        }
        return nil
    }

    /// Procedure words or prompt markers present in the rewrite and absent from the original.
    static func leakedProcedure(in text: TextProfile, original: TextProfile) -> [String] {
        var leaked = procedureWords.filter { text.vocabulary.contains($0) && !original.vocabulary.contains($0) }.sorted()
        leaked += procedurePhrases.filter { text.mentions($0) && !original.mentions($0) }
        return leaked
    }

    /// URL-like tokens (a scheme, `www.`, or a host with a common top-level domain) that the
    /// original did not contain.
    static func introducedURLs(in text: TextProfile, original: TextProfile) -> [String] {
        let found = urlTokens(text.text)
        guard !found.isEmpty else { return [] }
        let before = Set(urlTokens(original.text))
        return found.filter { !before.contains($0) }
    }

    static let topLevelDomains: Set<String> = [
        "com", "org", "net", "io", "edu", "gov", "ai", "co", "info", "biz", "dev", "app", "ly", "me", "uk", "de",
    ]

    static func urlTokens(_ text: String) -> [String] {
        text.split(whereSeparator: { $0.isWhitespace }).compactMap { raw in
            // Only a token with a dot or a colon can be a URL: most words stop here.
            guard raw.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":") }) else { return nil }
            let token = trimmingPunctuation(raw.lowercased())
            if token.contains("://") || token.hasPrefix("www.") { return token }
            let host = token.split(separator: "/", maxSplits: 1).first.map(String.init) ?? token
            let parts = host.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count >= 2, let last = parts.last, topLevelDomains.contains(String(last)),
                parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } })
            else { return nil }
            return token
        }
    }

    static let urlPunctuation = Set("()[]{}<>\"'.,;:!?`*".unicodeScalars)

    private static func trimmingPunctuation(_ token: String) -> String {
        let scalars = token.unicodeScalars
        guard let first = scalars.firstIndex(where: { !urlPunctuation.contains($0) }),
            let last = scalars.lastIndex(where: { !urlPunctuation.contains($0) })
        else { return "" }
        return String(scalars[first...last])
    }

    private static func startsWithWord(_ text: String, _ opening: String) -> Bool {
        guard text.hasPrefix(opening) else { return false }
        let rest = text.dropFirst(opening.count)
        guard let next = rest.first else { return true }
        return !(next.isLetter || next.isNumber) || opening.hasSuffix(":")
    }
}
