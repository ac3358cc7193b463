import TaskStore
import TreeInstructCore

/// One source row: each rewrite round as the instruction it started from beside the one it
/// wrote (the added nodes' words marked), both trees drawn with the added nodes marked, every
/// attempt with its outcome and reason, and the response.
enum RowPage {
    static func html(run: RunRef, line: Int, chain: [ChainTask]) -> HTML {
        let input = chain.first?.input ?? ""
        let steps = chain.map(step)
        return Layout.page(
            title: "Line \(line) of \(run.name)",
            trail: [(run.name, "/runs/\(run.id)"), ("rows", "/runs/\(run.id)/rows"), ("line \(line)", "/runs/\(run.id)/rows/\(line)")],
            """
            <h1>Line \(line) of \(run.name)</h1>
            \(input.isEmpty ? HTML.empty : "<h2>Input</h2><div class=\"text\">\(input)</div>")
            \(steps)
            """)
    }

    private static func step(_ task: ChainTask) -> HTML {
        let title: HTML = task.stage == "respond" ? "<h2>Response</h2>" : "<h2>Round \(task.round)</h2>"
        let status = HTML(
            "<p class=\"state state-\(task.state)\">\(ProgressWording.state(task.state)), \(task.attempts) attempt\(task.attempts == 1 ? "" : "s")\(task.errorCode.map { ", \($0)" } ?? "")\(task.difficulty.map { ", difficulty \($0)" } ?? "")</p>"
        )
        var body: HTML
        if task.stage == "respond" {
            body = """
                <div class="pair"><div><h3>Instruction</h3><div class="text">\(task.instruction)</div></div>
                <div><h3>Response</h3><div class="text response">\(task.response ?? "")</div></div></div>
                """
        } else {
            let added = task.addedNodes.isEmpty ? TreeDrawing.addedLabels(original: task.originalTree, expanded: task.expandedTree) : task.addedNodes
            let marked: HTML = task.newInstruction.map { WordMarks.html($0, addedLabels: added) } ?? "<span class=\"quiet\">none accepted</span>"
            let addedList = added.map { HTML("<li>\($0)</li>") }
            body = """
                <div class="pair"><div><h3>Before</h3><div class="text">\(task.instruction)</div></div>
                <div><h3>After</h3><div class="text new">\(marked)</div></div></div>
                \(added.isEmpty ? HTML.empty : "<div class=\"added\">Added nodes: <ul class=\"added-list\">\(addedList)</ul></div>")
                """
            if let original = task.originalTree, let expanded = task.expandedTree {
                body = """
                    \(body)
                    <div class="pair"><div><h3>Original tree</h3>\(TreeDrawing.html(original))</div>
                    <div><h3>Expanded tree</h3>\(TreeDrawing.html(expanded, added: TreeDrawing.addedLabels(original: original, expanded: expanded)))</div></div>
                    """
            }
        }
        let attempts = task.history.map { attempt in
            HTML(
                "<tr><td>\(attempt.finishedAt)</td><td>\(attempt.outcome)</td><td>\(attempt.code ?? "")</td><td class=\"text\">\(attempt.detail ?? "")</td><td class=\"text answer\">\(attempt.answer ?? "")</td></tr>"
            )
        }
        let history: HTML =
            attempts.isEmpty
            ? HTML.empty
            : "<details\(task.state == "failed" ? " open" : "")><summary>Attempts\(task.attemptRows > task.history.count ? " (the latest \(task.history.count) of \(task.attemptRows))" : "")</summary><table><thead><tr><th>ended (UTC)</th><th>outcome</th><th>code</th><th>detail</th><th>rejected answer</th></tr></thead><tbody>\(attempts)</tbody></table></details>"
        return "<section class=\"step\">\(title)\(status)\(body)\(history)</section>"
    }
}
