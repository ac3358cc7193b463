/// One text as the validator's checks read it, worked out once: a rewrite is compared with its
/// original by a dozen checks, and each used to fold, lower-case and split both texts again.
struct TextProfile: Sendable {
    let text: String
    /// White space folded, lower-cased, curly apostrophes made straight.
    let lowered: String
    let words: [String]
    let vocabulary: Set<String>

    init(_ text: String) {
        self.text = text
        var lowered = TextNormalization.foldWhitespace(text).lowercased()
        if lowered.unicodeScalars.contains("’") {
            lowered = String(String.UnicodeScalarView(lowered.unicodeScalars.map { $0 == "’" ? "'" : $0 }))
        }
        self.lowered = lowered
        words = TextNormalization.words(text)
        vocabulary = Set(words)
    }

    /// Whether the lowered text contains `phrase` (lower-case already), as bytes: the stdlib's
    /// and Foundation's searches compare grapheme by grapheme, many times slower.
    func mentions(_ phrase: String) -> Bool { Self.contains(lowered.utf8, phrase.utf8) }

    /// Whether the lowered text's first `limit` bytes (cut at a character) contain `phrase`.
    func opensWith(_ phrase: String, within limit: Int) -> Bool {
        Self.contains(lowered.utf8.prefix(limit + phrase.utf8.count), phrase.utf8)
    }

    static func contains<Haystack: Collection<UInt8>>(_ haystack: Haystack, _ needle: String.UTF8View) -> Bool {
        guard let first = needle.first else { return true }
        var start = haystack.startIndex
        while let found = haystack[start...].firstIndex(of: first) {
            if haystack[found...].starts(with: needle) { return true }
            start = haystack.index(after: found)
        }
        return false
    }
}
