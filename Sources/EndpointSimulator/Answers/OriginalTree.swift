import TreeInstructCore

/// The simulator's reading of an instruction as a tree: the first content word (usually the
/// verb) as the root and a few later content words below it, every label a word of the
/// instruction, so the tree is grounded exactly as the validator demands.
enum OriginalTree {
    /// At most this many labels below the root.
    static let maxChildren = 5

    static func of(_ instruction: String, maxDepth: Int, random: inout SeededRandom) -> SemanticNode {
        var words = distinct(ContentWords.of(instruction))
        if words.isEmpty { words = distinct(TextNormalization.words(instruction)) }
        // Nothing to ground a tree in: answer anyway, and the validator rejects it, as it would a model's.
        guard let root = words.first else { return SemanticNode("request") }
        let available = Array(words.dropFirst().prefix(maxChildren))
        let count = available.isEmpty ? 0 : Int.random(in: min(2, available.count)...available.count, using: &random)
        var children = available.prefix(count).map { SemanticNode($0) }
        // A modifier under the first object makes a three-level tree, when depth allows.
        if children.count >= 3, maxDepth >= 4, random.coin() {
            let modifier = children.remove(at: 1)
            children[0].children.append(modifier)
        }
        return maxDepth >= 2 ? SemanticNode(root, children) : SemanticNode(root)
    }

    private static func distinct(_ words: [String]) -> [String] {
        var seen = Set<String>()
        return words.filter { seen.insert($0).inserted }
    }
}
