/// A rewrite that passed every check, with what the structured template adds for lineage.
public struct AcceptedRewrite: Sendable, Hashable, Codable {
    public var newInstruction: String
    /// Present for the structured template only.
    public var originalTree: SemanticNode?
    public var expandedTree: SemanticNode?
    public var addedNodes: [String]
    public var wordCount: Int

    public init(
        newInstruction: String, originalTree: SemanticNode? = nil, expandedTree: SemanticNode? = nil,
        addedNodes: [String] = [], wordCount: Int
    ) {
        self.newInstruction = newInstruction
        self.originalTree = originalTree
        self.expandedTree = expandedTree
        self.addedNodes = addedNodes
        self.wordCount = wordCount
    }
}
