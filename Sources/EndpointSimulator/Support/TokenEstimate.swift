/// The simulator's token estimate: Unicode scalars / 4, rounded up (at least 1 for any text).
/// Good enough for English and for rate-limit arithmetic; no tokenizer is loaded.
enum TokenEstimate {
    static func of(_ text: String) -> Int {
        (text.unicodeScalars.count + 3) / 4
    }

    static func of(_ messages: [String]) -> Int {
        (messages.reduce(0) { $0 + $1.unicodeScalars.count } + 3) / 4
    }

    /// `text` cut to what `tokens` tokens hold under this estimate.
    static func prefix(_ text: String, tokens: Int) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(tokens * 4)))
    }
}
