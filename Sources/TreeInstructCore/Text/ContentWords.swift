/// Words that carry meaning, and a forgiving test of whether one text uses another's words.
///
/// Models inflect what they add ("history" becomes "historical"), so two words match when
/// they share a prefix of at least five letters, or are equal when shorter than that.
public enum ContentWords {
    /// Lower-cased words of `text` minus English function words.
    public static func of(_ text: String) -> [String] {
        TextNormalization.words(text).filter { !stopWords.contains($0) }
    }

    /// Whether `word` (already lower-cased) appears, possibly inflected, among `vocabulary`.
    public static func appears(_ word: String, in vocabulary: Set<String>) -> Bool {
        if vocabulary.contains(word) { return true }
        let stem = word.prefix(5)
        guard stem.count == 5 else { return false }
        return vocabulary.contains { $0.count >= 5 && $0.hasPrefix(stem) }
    }

    /// Share (0...1) of `phrase`'s content words that appear in `vocabulary`; 1 for a phrase
    /// made only of function words, which has nothing to check.
    public static func coverage(of phrase: String, in vocabulary: Set<String>) -> Double {
        let contentWords = of(phrase)
        let phraseWords = contentWords.isEmpty ? TextNormalization.words(phrase) : contentWords
        guard !phraseWords.isEmpty else { return 1 }
        let found = phraseWords.filter { appears($0, in: vocabulary) }.count
        return Double(found) / Double(phraseWords.count)
    }

    static let stopWords: Set<String> = [
        "a", "an", "the", "and", "or", "but", "nor", "of", "to", "in", "on", "at", "by", "for",
        "with", "from", "as", "into", "onto", "about", "over", "under", "than", "then", "that",
        "this", "these", "those", "it", "its", "is", "are", "was", "were", "be", "been", "being",
        "do", "does", "did", "has", "have", "had", "will", "would", "should", "can", "could",
        "may", "might", "must", "shall", "not", "no", "so", "such", "very", "your", "you",
        "their", "them", "they", "he", "she", "his", "her", "we", "our", "us", "i", "me", "my",
        "what", "which", "who", "whom", "whose", "how", "why", "when", "where", "if", "each",
        "any", "all", "some", "more", "most", "also", "both", "either", "using", "use", "via",
    ]
}
