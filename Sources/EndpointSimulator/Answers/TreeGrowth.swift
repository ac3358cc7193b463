import TreeInstructCore

/// Adds labels to a tree as Tree-Instruct does: each one in depth (under an existing node) or
/// in width (beside it), chosen at random, never deeper than allowed.
enum TreeGrowth {
    /// A node's position: the child indexes from the root; `[]` is the root, at depth 1.
    typealias Path = [Int]

    static func grow(_ tree: SemanticNode, adding labels: [String], maxDepth: Int, random: inout SeededRandom) -> SemanticNode {
        var tree = tree
        for label in labels {
            let paths = allPaths(of: tree)
            let target = paths.randomElement(using: &random) ?? []
            var parent: Path = random.coin() ? target : Array(target.dropLast())
            if depthOfChild(under: parent) > maxDepth {
                // Too deep here: take the shallowest place that fits, or the root when none does
                // (the validator then rejects the answer, as it would a model's).
                parent = paths.filter { depthOfChild(under: $0) <= maxDepth }.randomElement(using: &random) ?? []
            }
            insert(SemanticNode(label), under: parent, in: &tree, random: &random)
        }
        return tree
    }

    private static func depthOfChild(under parent: Path) -> Int { parent.count + 2 }

    private static func allPaths(of node: SemanticNode, prefix: Path = []) -> [Path] {
        [prefix] + node.children.indices.flatMap { allPaths(of: node.children[$0], prefix: prefix + [$0]) }
    }

    private static func insert(_ child: SemanticNode, under path: Path, in node: inout SemanticNode, random: inout SeededRandom) {
        guard let first = path.first else {
            node.children.insert(child, at: Int.random(in: 0...node.children.count, using: &random))
            return
        }
        insert(child, under: Array(path.dropFirst()), in: &node.children[first], random: &random)
    }
}
