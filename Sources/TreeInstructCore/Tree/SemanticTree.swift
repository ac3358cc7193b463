/// A node of an instruction's semantic tree: a noun or verb that carries its meaning, with the
/// words that modify or elaborate it as children. Difficulty is measured in these nodes.
public struct SemanticNode: Sendable, Hashable, Codable {
    public var label: String
    public var children: [SemanticNode]

    public init(_ label: String, _ children: [SemanticNode] = []) {
        self.label = label
        self.children = children
    }

    /// Nodes in this subtree, itself included.
    public var nodeCount: Int { 1 + children.reduce(0) { $0 + $1.nodeCount } }

    /// Levels in this subtree: 1 for a leaf.
    public var depth: Int { 1 + (children.map(\.depth).max() ?? 0) }

    /// The node as the JSON the prompts ask for and the store keeps: {"label", "children"}.
    public var json: JSONValue { ["label": .string(label), "children": .array(children.map(\.json))] }

    /// Every label in the subtree, pre-order.
    public var allLabels: [String] { [label] + children.flatMap(\.allLabels) }

    /// A one-line, order-preserving rendering with folded labels, e.g. `write(poem(short),sea)`.
    /// Two trees with the same canonical form are the same tree for every check here.
    public var canonicalForm: String {
        let own = TextNormalization.foldLabel(label)
            .replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "(", with: "\\(")
            .replacingOccurrences(of: ")", with: "\\)")
            .replacingOccurrences(of: ",", with: "\\,")
        guard !children.isEmpty else { return own }
        return own + "(" + children.map(\.canonicalForm).joined(separator: ",") + ")"
    }
}
