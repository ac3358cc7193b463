import TreeInstructCore

/// A new instruction with the words of its added nodes marked: a word is marked when it is one
/// of an added label's content words, or shares its first five letters with one, the rule by
/// which the validator decides that the new instruction uses an added node.
enum WordMarks {
    static func html(_ text: String, addedLabels: [String]) -> HTML {
        let wanted = Set(
            addedLabels.flatMap { label in
                let content = ContentWords.of(label)
                return content.isEmpty ? TextNormalization.words(label) : content
            })
        guard !wanted.isEmpty else { return "\(text)" }
        return HTML(
            joining: pieces(of: text).map { piece, isWord in
                guard isWord, wanted.contains(where: { ContentWords.appears($0, in: [piece.lowercased()]) }) else { return "\(piece)" }
                return "<mark>\(piece)</mark>"
            })
    }

    /// `text` cut into runs of word characters (letters, digits, and an apostrophe or hyphen
    /// inside a word) and everything between them, in order; joined they give `text` back.
    static func pieces(of text: String) -> [(text: String, isWord: Bool)] {
        var pieces: [(String, Bool)] = []
        var current = ""
        var inWord = false
        let characters = Array(text)
        for (index, character) in characters.enumerated() {
            let joins =
                (character == "'" || character == "’" || character == "-") && inWord && index + 1 < characters.count
                && isWordCharacter(characters[index + 1])
            let isWord = isWordCharacter(character) || joins
            if isWord != inWord, !current.isEmpty {
                pieces.append((current, inWord))
                current = ""
            }
            inWord = isWord
            current.append(character)
        }
        if !current.isEmpty { pieces.append((current, inWord)) }
        return pieces
    }

    private static func isWordCharacter(_ character: Character) -> Bool { character.isLetter || character.isNumber }
}
