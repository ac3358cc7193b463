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
}
