import TreeInstructCore

/// A semantic tree as nested lists, the nodes the rewrite added marked: the expanded tree's
/// labels that the original lacks, taken in order as `TreeExpansion` counts them.
enum TreeDrawing {
    static func html(_ tree: SemanticNode, added: [String] = []) -> HTML {
        var remaining = added.map(TextNormalization.foldLabel)
        return "<ul class=\"tree\">\(node(tree, remaining: &remaining))</ul>"
    }

    /// The labels of `expanded` that `original` does not have (the validator's own count).
    static func addedLabels(original: SemanticNode?, expanded: SemanticNode?) -> [String] {
        guard let original, let expanded else { return [] }
        return TreeExpansion(original: original, expanded: expanded).addedLabels
    }

    private static func node(_ node: SemanticNode, remaining: inout [String]) -> HTML {
        let folded = TextNormalization.foldLabel(node.label)
        let isAdded = remaining.firstIndex(of: folded).map { remaining.remove(at: $0) } != nil
        let label: HTML = isAdded ? "<span class=\"node added\">\(node.label)</span>" : "<span class=\"node\">\(node.label)</span>"
        guard !node.children.isEmpty else { return "<li>\(label)</li>" }
        var children: [HTML] = []
        for child in node.children { children.append(self.node(child, remaining: &remaining)) }
        return "<li>\(label)<ul>\(children)</ul></li>"
    }
}
