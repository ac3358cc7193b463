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

    /// Words that only the procedure uses, by stem: "node" and "nodes" leak unless the original
    /// has either. "Tree", "semantic", "structure" or "parse" are ordinary content on their own
    /// ("the semantic value of each word", a forest's trees); the procedure shows in the phrases below.
    static let procedureStems: Set<String> = ["node", "subtree"]
    static let procedurePhrases = [
        "new instruction", "original instruction", "rewritten instruction", "expanded instruction",
        "original_tree", "expanded_tree", "added_nodes", "new_instruction",
        "semantic tree", "parse tree", "parsing tree", "syntax tree", "expanded tree", "original tree", "instruction tree",
        "tree of meaning", "tree-instruct", "tree instruct",
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
        // Every label ends with a colon: a text without one has no such line.
        guard text.text.utf8.contains(UInt8(ascii: ":")) else { return nil }
        let lines = text.text.lowercased().split(whereSeparator: \.isNewline).map { TextNormalization.trimmed(String($0)) }
        if let label = answerLabels.first(where: { label in lines.contains { $0.hasPrefix(label) } && !original.mentions(label) }) {
            return "has a line starting \"\(label)\""
        }
        return nil
    }

    /// Procedure words (in any inflection the original lacks), phrases or prompt markers present
    /// in the rewrite and absent from the original.
    static func leakedProcedure(in text: TextProfile, original: TextProfile) -> [String] {
        var leaked = text.vocabulary.filter { procedureStems.contains(stem($0)) }.sorted()
        if !leaked.isEmpty {
            // The original's stems only when the rewrite has a procedure word at all (seldom).
            let originalStems = Set(original.vocabulary.map(stem))
            leaked = leaked.filter { !originalStems.contains(stem($0)) }
        }
        leaked += procedurePhrases.filter { text.mentions($0) && !original.mentions($0) }
        return leaked
    }

    /// A crude English stem (a plural's final "s" dropped), enough to treat "node" and "nodes",
    /// "subtree" and "subtrees" as one word each. Lengths in bytes (counting characters walks
    /// grapheme clusters, for every word of every answer); the stems compared are English.
    static func stem(_ word: String) -> String {
        word.utf8.count > 3 && word.hasSuffix("s") && !word.hasSuffix("ss") ? String(word.dropLast()) : word
    }

    /// The model's answer without our fences around it: a model that echoes `<<<` and `>>>`
    /// around its instruction has still written one. Fences inside the text remain (a leak).
    static func unfenced(_ content: String) -> String {
        var text = TextNormalization.trimmed(content)
        while text.hasPrefix(PromptMarkers.open) { text = TextNormalization.trimmed(String(text.dropFirst(PromptMarkers.open.count))) }
        while text.hasSuffix(PromptMarkers.close) { text = TextNormalization.trimmed(String(text.dropLast(PromptMarkers.close.count))) }
        return text
    }

    /// URLs (a scheme, `www.`, or a host with a common top-level domain) that the original did
    /// not contain, compared without surrounding punctuation, quotes or a trailing slash.
    static func introducedURLs(in text: TextProfile, original: TextProfile) -> [String] {
        let found = urlTokens(text.text)
        guard !found.isEmpty else { return [] }
        let before = Set(urlTokens(original.text).map(comparable))
        return found.filter { !before.contains(comparable($0)) }
    }

    private static func comparable(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    static let urlStarts = ["https://", "http://", "ftp://", "www."]
    /// What may be glued to a URL or a host name without being part of it.
    static let urlNeighbours = Set("\"'()[]{}<>“”‘’«»`*".unicodeScalars)

    static let topLevelDomains: Set<String> = [
        "com", "org", "net", "io", "edu", "gov", "ai", "co", "info", "biz", "dev", "app", "ly", "me", "uk", "de",
    ]

    /// The URLs in `text`, lower-cased: from a scheme or `www.` wherever it starts in a word
    /// (`essence."https://…` holds one), else a word (split at quotes and brackets) that is a
    /// host name with a common top-level domain.
    static func urlTokens(_ text: String) -> [String] {
        mayHoldURL(text) ? searchURLTokens(text) : []
    }

    /// `urlTokens` word by word, whatever the text.
    static func searchURLTokens(_ text: String) -> [String] {
        text.split(whereSeparator: { $0.isWhitespace }).flatMap { raw -> [String] in
            // Only a word with a dot or a colon can hold a URL: most words stop here.
            guard raw.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":") }) else { return [] }
            let word = raw.lowercased()
            if let start = urlStarts.compactMap({ word.firstRange(of: $0)?.lowerBound }).min() {
                let url = trimmingPunctuation(String(word[start...]))
                return url.isEmpty ? [] : [url]
            }
            return word.unicodeScalars.split(whereSeparator: { urlNeighbours.contains($0) }).compactMap { piece in
                let token = trimmingPunctuation(String(String.UnicodeScalarView(piece)))
                let host = token.split(separator: "/", maxSplits: 1).first.map(String.init) ?? token
                let parts = host.split(separator: ".", omittingEmptySubsequences: false)
                guard parts.count >= 2, let last = parts.last, topLevelDomains.contains(String(last)),
                    parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } })
                else { return nil }
                return token
            }
        }
    }

    /// Whether `text` can hold a URL at all, read from its bytes: a colon before a slash (a
    /// scheme), `www.`, or a dot before a letter, a digit or another script (a host name). Most
    /// texts hold none of these (their dots end sentences), and skip the word-by-word search.
    static func mayHoldURL(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            guard utf8.count > 1 else { return false }
            for index in 0..<(utf8.count - 1) {
                let (byte, next) = (utf8[index], utf8[index + 1])
                switch byte {
                case UInt8(ascii: ":") where next == UInt8(ascii: "/"):
                    return true
                case UInt8(ascii: "."):
                    let lowered = next | 0x20
                    if next >= 0x80 || (lowered >= UInt8(ascii: "a") && lowered <= UInt8(ascii: "z"))
                        || (next >= UInt8(ascii: "0") && next <= UInt8(ascii: "9"))
                    {
                        return true
                    }
                    if index >= 3, utf8[(index - 3)..<index].allSatisfy({ $0 | 0x20 == UInt8(ascii: "w") }) { return true }
                default:
                    continue
                }
            }
            // "www." as the text's last four bytes.
            return utf8.count >= 4 && utf8[utf8.count - 1] == UInt8(ascii: ".")
                && utf8[(utf8.count - 4)..<(utf8.count - 1)].allSatisfy { $0 | 0x20 == UInt8(ascii: "w") }
        }
    }

    static let urlPunctuation = Set("()[]{}<>\"'.,;:!?`*“”‘’«»".unicodeScalars)

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
