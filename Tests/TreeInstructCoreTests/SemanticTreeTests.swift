import Testing
import TreeInstructCore

@Suite("Semantic tree")
struct SemanticTreeTests {
    let tree = SemanticNode("write", [SemanticNode("poem", [SemanticNode("Short")]), SemanticNode("the  sea")])

    @Test func countsAndDepth() {
        #expect(tree.nodeCount == 4)
        #expect(tree.depth == 3)
        #expect(SemanticNode("leaf").depth == 1)
        #expect(tree.allLabels == ["write", "poem", "Short", "the  sea"])
    }

    @Test func canonicalFormFoldsAndEscapes() {
        #expect(tree.canonicalForm == "write(poem(short),the sea)")
        #expect(SemanticNode("a,(b)").canonicalForm == "a\\,\\(b\\)")
        #expect(SemanticNode(" WRITE ", [SemanticNode("Poem")]).canonicalForm == SemanticNode("write", [SemanticNode("poem")]).canonicalForm)
    }

    @Test func decodesFromModelJSON() throws {
        let json = #"{"label": "write", "children": [{"label": "poem", "children": []}]}"#
        let node = try JSONDecoderHelper.decode(SemanticNode.self, json)
        #expect(node == SemanticNode("write", [SemanticNode("poem")]))
    }

    @Test func differentRootIsNotAnExpansion() {
        let expansion = TreeExpansion(original: tree, expanded: SemanticNode("compose", tree.children))
        #expect(!expansion.preservesOriginal)
        #expect(expansion.missingOriginalLabels.count == 4)
    }

    @Test func repeatedSiblingLabelsPairInOrder() {
        let original = SemanticNode("list", [SemanticNode("item", [SemanticNode("a")]), SemanticNode("item", [SemanticNode("b")])])
        let expanded = SemanticNode(
            "list", [SemanticNode("item", [SemanticNode("a")]), SemanticNode("item", [SemanticNode("b"), SemanticNode("c")])])
        #expect(TreeExpansion(original: original, expanded: expanded).isExpansion(byExactly: 1))
    }
}

import Foundation

enum JSONDecoderHelper {
    static func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }
}
