/// How an expanded tree relates to the tree it grew from.
///
/// Tree-Instruct only ever adds: every node of the original stays at its path (the chain of
/// labels from the root), and the new nodes are exactly the ones that match nothing.
public struct TreeExpansion: Sendable, Hashable {
    /// Labels of the original that have no counterpart at their path in the expansion.
    public let missingOriginalLabels: [String]
    /// Labels of the expansion's nodes that match no original node, pre-order.
    public let addedLabels: [String]

    public init(original: SemanticNode, expanded: SemanticNode) {
        var missing: [String] = []
        var added: [String] = []
        if TextNormalization.foldLabel(original.label) == TextNormalization.foldLabel(expanded.label) {
            Self.match(original, expanded, missing: &missing, added: &added)
        } else {
            missing = original.allLabels
            added = expanded.allLabels
        }
        missingOriginalLabels = missing
        addedLabels = added
    }

    /// Whether the original is fully kept.
    public var preservesOriginal: Bool { missingOriginalLabels.isEmpty }

    /// Whether `expanded` is `original` plus exactly `k` new nodes.
    public func isExpansion(byExactly k: Int) -> Bool { preservesOriginal && addedLabels.count == k }

    /// Pairs the children of two matched nodes by folded label, first unmatched first, so
    /// repeated labels pair up in order and a model's re-ordering of siblings is tolerated.
    private static func match(
        _ original: SemanticNode, _ expanded: SemanticNode,
        missing: inout [String], added: inout [String]
    ) {
        var used = [Bool](repeating: false, count: expanded.children.count)
        let expandedKeys = expanded.children.map { TextNormalization.foldLabel($0.label) }
        for child in original.children {
            let key = TextNormalization.foldLabel(child.label)
            if let index = expandedKeys.indices.first(where: { !used[$0] && expandedKeys[$0] == key }) {
                used[index] = true
                match(child, expanded.children[index], missing: &missing, added: &added)
            } else {
                missing.append(contentsOf: child.allLabels)
            }
        }
        for (index, child) in expanded.children.enumerated() where !used[index] {
            added.append(contentsOf: child.allLabels)
        }
    }
}
