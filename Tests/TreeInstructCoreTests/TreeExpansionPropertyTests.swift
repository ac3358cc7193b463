import Testing
import TreeInstructCore

/// Random trees, random K-node expansions (accepted) and random damage (rejected).
@Suite("Tree expansion, property-based")
struct TreeExpansionPropertyTests {
    /// SplitMix64: small, seedable, the same sequence on every platform.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let seeds: [UInt64] = Array(1...300)

    /// Paths are lists of child indices from the root.
    static func paths(of node: SemanticNode, prefix: [Int] = []) -> [[Int]] {
        [prefix] + node.children.enumerated().flatMap { paths(of: $1, prefix: prefix + [$0]) }
    }

    static func modify(_ node: inout SemanticNode, at path: ArraySlice<Int>, _ change: (inout SemanticNode) -> Void) {
        guard let first = path.first else { return change(&node) }
        modify(&node.children[first], at: path.dropFirst(), change)
    }

    static func randomTree(_ rng: inout SeededGenerator, nodes: Int) -> SemanticNode {
        var tree = SemanticNode("root-\(rng.next() % 1000)")
        for index in 1..<max(nodes, 1) {
            let target = paths(of: tree).randomElement(using: &rng)!
            modify(&tree, at: target[...]) { $0.children.append(SemanticNode("word \(index)")) }
        }
        return tree
    }

    /// Adds `k` fresh nodes, each under a random node (depth) or beside existing children (width),
    /// at a random position among its siblings.
    static func expand(_ tree: SemanticNode, by k: Int, _ rng: inout SeededGenerator) -> SemanticNode {
        var expanded = tree
        for index in 0..<k {
            let target = paths(of: expanded).randomElement(using: &rng)!
            modify(&expanded, at: target[...]) { node in
                let position = Int.random(in: 0...node.children.count, using: &rng)
                node.children.insert(SemanticNode("Added  Node \(index)"), at: position)
            }
        }
        return expanded
    }

    @Test("a random K-node expansion is accepted", arguments: seeds)
    func acceptsExpansions(seed: UInt64) {
        var rng = SeededGenerator(state: seed)
        let original = Self.randomTree(&rng, nodes: Int.random(in: 1...12, using: &rng))
        let k = Int.random(in: 1...6, using: &rng)
        let expanded = Self.expand(original, by: k, &rng)
        let expansion = TreeExpansion(original: original, expanded: expanded)
        #expect(expansion.isExpansion(byExactly: k), "seed \(seed): \(original.canonicalForm) -> \(expanded.canonicalForm)")
        #expect(expanded.nodeCount == original.nodeCount + k)
        #expect(expansion.addedLabels.count == k)
    }

    @Test("case and white-space changes to kept labels are tolerated", arguments: seeds.prefix(50))
    func foldsLabels(seed: UInt64) {
        var rng = SeededGenerator(state: seed)
        let original = Self.randomTree(&rng, nodes: 8)
        var expanded = Self.expand(original, by: 3, &rng)
        for path in Self.paths(of: expanded) {
            Self.modify(&expanded, at: path[...]) { $0.label = "  " + $0.label.uppercased().replacingOccurrences(of: " ", with: "\t ") }
        }
        #expect(TreeExpansion(original: original, expanded: expanded).isExpansion(byExactly: 3))
    }

    @Test("deleting an original node is rejected even when the count is made up", arguments: seeds)
    func rejectsDeletions(seed: UInt64) {
        var rng = SeededGenerator(state: seed)
        let original = Self.randomTree(&rng, nodes: Int.random(in: 2...12, using: &rng))
        let k = Int.random(in: 1...4, using: &rng)
        var damaged = Self.expand(original, by: k, &rng)
        // Delete a node that came from the original (its label starts with "word").
        let victims = Self.paths(of: damaged).filter { path in
            !path.isEmpty && Self.label(in: damaged, at: path).hasPrefix("word")
        }
        let victim = victims.randomElement(using: &rng)!
        Self.modify(&damaged, at: victim.dropLast()) { $0.children.remove(at: victim.last!) }
        // Pad with fresh nodes so only preservation, not the count, can catch it.
        let shortfall = original.nodeCount + k - damaged.nodeCount
        damaged.children.append(contentsOf: (0..<shortfall).map { SemanticNode("padding \($0)") })
        let expansion = TreeExpansion(original: original, expanded: damaged)
        #expect(!expansion.preservesOriginal)
        #expect(!expansion.isExpansion(byExactly: k))
    }

    @Test("renaming an original node is rejected", arguments: seeds)
    func rejectsRenames(seed: UInt64) {
        var rng = SeededGenerator(state: seed)
        let original = Self.randomTree(&rng, nodes: Int.random(in: 1...12, using: &rng))
        var damaged = Self.expand(original, by: 3, &rng)
        let targets = Self.paths(of: damaged).filter { path in
            let label = Self.label(in: damaged, at: path)
            return label.hasPrefix("word") || label.hasPrefix("root")
        }
        let target = targets.randomElement(using: &rng)!
        Self.modify(&damaged, at: target[...]) { $0.label += " renamed" }
        #expect(!TreeExpansion(original: original, expanded: damaged).isExpansion(byExactly: 3))
    }

    @Test("adding one node too many or too few is rejected", arguments: seeds)
    func rejectsWrongCounts(seed: UInt64) {
        var rng = SeededGenerator(state: seed)
        let original = Self.randomTree(&rng, nodes: Int.random(in: 1...12, using: &rng))
        let k = Int.random(in: 2...6, using: &rng)
        let actual = Bool.random(using: &rng) ? k + 1 : k - 1
        let expansion = TreeExpansion(original: original, expanded: Self.expand(original, by: actual, &rng))
        #expect(expansion.preservesOriginal)
        #expect(!expansion.isExpansion(byExactly: k))
        #expect(expansion.addedLabels.count == actual)
    }

    static func label(in tree: SemanticNode, at path: [Int]) -> String {
        path.reduce(tree) { $0.children[$1] }.label
    }
}
