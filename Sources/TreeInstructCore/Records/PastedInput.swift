/// An instruction that already ends with its own input.
///
/// Some corpora paste the input into the instruction as well as giving it apart (the
/// Alpaca-GPT4 1k file does so for 398 of its 401 rows with an input). Taken as it is, the input
/// would be sent twice, counted twice toward the +12 words a rewrite must add, and a model told
/// not to copy the input would fail `too_short`. So the method works on the instruction's own
/// words: the input is sent once, apart, and the new instruction is judged against those words.
public enum PastedInput {
    /// `instruction` without the copy of `input` at its end, or `instruction` as it is when it
    /// has none. Compared with white space folded, and with quotes around the copy ignored: the
    /// Alpaca-GPT4 rows glue it on as `... a noun phrase."In the morning, ..."`. Nothing is cut
    /// when that would leave nothing, and only a copy that starts a word counts ("...Paris" is
    /// not a copy of "aris"). A rewrite that happens to end with a short input ("... of France,
    /// Paris") loses those words from its count: a word or two, against counting every pasted
    /// input twice.
    public static func ownWords(of instruction: String, input: String) -> String {
        // Most instructions end otherwise than their input: said without folding either.
        if let inputEnd = lastMeaningful(input), let instructionEnd = lastMeaningful(instruction), inputEnd != instructionEnd {
            return instruction
        }
        let pasted = unquoted(TextNormalization.trimmed(TextNormalization.foldWhitespace(input)))
        guard !pasted.isEmpty else { return instruction }
        let folded = unquotedEnd(TextNormalization.trimmed(TextNormalization.foldWhitespace(instruction)))
        guard folded.count > pasted.count, folded.hasSuffix(pasted) else { return instruction }
        let before = folded.dropLast(pasted.count).last
        guard let before, !(before.isLetter || before.isNumber) else { return instruction }
        let own = TextNormalization.trimmed(unquotedEnd(TextNormalization.trimmed(String(folded.dropLast(pasted.count)))))
        return own.isEmpty ? instruction : own
    }

    /// The last character that is neither white space nor a quote; nil when there is none, or
    /// when it is more than one scalar (left to the full comparison).
    private static func lastMeaningful(_ text: String) -> Character? {
        for character in text.reversed() where !(quotes.contains(character) || character.unicodeScalars.allSatisfy(TextNormalization.isWhitespace)) {
            return character.unicodeScalars.count == 1 ? character : nil
        }
        return nil
    }

    static let quotes: Set<Character> = ["\"", "'", "“", "”", "‘", "’", "«", "»", "`"]

    private static func unquotedEnd(_ text: String) -> String {
        var text = Substring(text)
        while let last = text.last, quotes.contains(last) { text.removeLast() }
        return String(text)
    }

    private static func unquoted(_ text: String) -> String {
        var text = Substring(unquotedEnd(text))
        while let first = text.first, quotes.contains(first) { text.removeFirst() }
        return String(text)
    }
}
