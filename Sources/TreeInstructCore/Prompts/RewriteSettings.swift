/// Which prompt asks for the rewrite.
public enum RewriteTemplate: String, Sendable, Hashable, Codable, CaseIterable {
    /// The model returns both trees, the added nodes and the new instruction as JSON, so every
    /// structural rule can be checked. The default.
    case structured
    /// The paper's style: the model answers only the new instruction; text checks only.
    case plain
}

/// The knobs of one rewrite round: how much harder, and within which bounds.
public struct RewriteSettings: Sendable, Hashable, Codable {
    /// K, the nodes each round adds. The paper uses 3; difficulty grows with it.
    public var nodesToAdd: Int
    /// The new instruction must have at least this many more words than the original (paper: 12).
    public var minAddedWords: Int
    /// The new instruction may have at most this many words (paper: 100).
    public var maxWords: Int
    /// The expanded tree may be at most this many levels deep.
    public var maxDepth: Int
    public var template: RewriteTemplate

    public init(
        nodesToAdd: Int = 3, minAddedWords: Int = 12, maxWords: Int = 100, maxDepth: Int = 10,
        template: RewriteTemplate = .structured
    ) {
        self.nodesToAdd = nodesToAdd
        self.minAddedWords = minAddedWords
        self.maxWords = maxWords
        self.maxDepth = maxDepth
        self.template = template
    }

    /// Stored in runs.config as snake_case, for readable SQL (`config->'rewrite'->>'nodes_per_round'`).
    enum CodingKeys: String, CodingKey {
        case nodesToAdd = "nodes_per_round"
        case minAddedWords = "min_added_words"
        case maxWords = "max_words"
        case maxDepth = "max_depth"
        case template
    }

    /// The fewest words a rewrite of `original` may have.
    public func minimumWords(forOriginal original: String) -> Int {
        TextNormalization.wordCount(original) + minAddedWords
    }
}
