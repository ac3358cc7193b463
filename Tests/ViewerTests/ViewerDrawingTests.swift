import Testing
import TreeInstructCore

@testable import Viewer

@Suite("Viewer drawing")
struct ViewerDrawingTests {
    @Test func escapingLeavesNoMarkup() {
        let hostile = "<script>x</script> \"q\" 'a' & \u{1B}[2J"
        let html: HTML = "<p title=\"\(hostile)\">\(hostile)</p>"
        #expect(
            html.markup
                == "<p title=\"&lt;script&gt;x&lt;/script&gt; &quot;q&quot; &#39;a&#39; &amp; \u{FFFD}[2J\">&lt;script&gt;x&lt;/script&gt; &quot;q&quot; &#39;a&#39; &amp; \u{FFFD}[2J</p>"
        )
    }

    @Test func wordPiecesGiveTheTextBack() {
        for text in ["", "one", "Don't stop-now, 42 times!", "  spaced\n\nout  ", "日本語のテキスト", "mixed: é, ß, ﬁ"] {
            #expect(WordMarks.pieces(of: text).map(\.text).joined() == text)
        }
        #expect(WordMarks.pieces(of: "Don't stop-now").filter(\.isWord).map(\.text) == ["Don't", "stop-now"])
    }

    @Test func marksOnlyTheAddedNodesWords() {
        let html = WordMarks.html("Compare historical costs of the bridges, then the history.", addedLabels: ["history", "the costs"])
        #expect(html.markup == "Compare <mark>historical</mark> <mark>costs</mark> of the bridges, then the <mark>history</mark>.")
    }

    @Test func treesMarkEachAddedNodeOnce() {
        let expanded = SemanticNode("write", [SemanticNode("poem"), SemanticNode("poem"), SemanticNode("sea")])
        let html = TreeDrawing.html(expanded, added: ["Poem"]).markup
        #expect(html.components(separatedBy: "node added").count == 2)
        #expect(TreeDrawing.addedLabels(original: SemanticNode("write", [SemanticNode("poem")]), expanded: expanded) == ["poem", "sea"])
    }

    @Test func barsSpanTheWholeWidth() {
        let spans = ProgressBar.Segments(succeeded: 3, failed: 1, cancelled: 0, total: 8).spans
        #expect(spans.map(\.name) == ["succeeded", "failed", "cancelled", "open"])
        #expect(spans.map(\.width) == [37.5, 12.5, 0, 50])
        #expect(spans.map(\.x) == [0, 37.5, 50, 50])
    }
}
