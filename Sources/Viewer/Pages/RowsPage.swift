import TaskStore
import TreeInstructCore

/// A run's rows, a page at a time: the original and the latest new instruction of each, how far
/// its chain came, and filters (difficulty, failure code, shard, text) that keep the page's URL.
enum RowsPage {
    struct Query {
        var filter: RowFilter
        var shard: Int64?
        var after: RowCursor

        /// The URL of this list with `after` as its start (nil: from the beginning).
        func href(runID: Int64, after cursor: RowCursor?) -> String {
            "/runs/\(runID)/rows"
                + URLPart.query([
                    ("difficulty", filter.difficulty.map(String.init)), ("code", filter.failureCode), ("shard", shard.map { String($0) }),
                    ("q", filter.search), ("after", cursor.map { "\($0.line).\($0.taskID)" }),
                ])
        }
    }

    static func html(run: RunRef, query: Query, page: RowListing, codes: [String], shards: [ShardSpan]) -> HTML {
        let rows = page.rows.map { row in
            HTML(
                """
                <tr><td><a href="/runs/\(run.id)/rows/\(row.line)">\(row.line)</a></td>
                <td class="text">\(row.instruction)</td>
                <td class="text">\(row.newInstruction ?? "")</td>
                <td>\(row.difficulty.map { String($0) } ?? "")</td>
                <td>\(state(row))</td></tr>
                """)
        }
        let problems = page.rows.compactMap(\.problem).isEmpty
        let more: HTML =
            page.next.map { next in
                "<p><a class=\"next\" href=\"\(query.href(runID: run.id, after: next))\">Next page</a> <span class=\"quiet\">(this page read \(page.read) rows)</span></p>"
            } ?? "<p class=\"quiet\">End of the list.</p>"
        let problemRows: HTML =
            problems
            ? ""
            : HTML(
                joining: page.rows.filter { $0.problem != nil }.map { row in
                    "<tr><td><a href=\"/runs/\(run.id)/rows/\(row.line)\">\(row.line)</a></td><td class=\"text\">\(row.problem ?? "")</td><td class=\"text\">\(row.rejectedAnswer ?? "")</td></tr>"
                })
        return Layout.page(
            title: "Rows of \(run.name)", trail: [(run.name, "/runs/\(run.id)"), ("rows", "/runs/\(run.id)/rows")],
            """
            <h1>Rows of \(run.name)</h1>
            \(form(run: run, query: query, codes: codes, shards: shards))
            <table class="rows"><thead><tr><th>line</th><th>original</th><th>new instruction</th><th>difficulty</th><th>state</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            \(problems ? HTML.empty : "<h2>Why they failed</h2><table><thead><tr><th>line</th><th>last attempt</th><th>the answer it rejected</th></tr></thead><tbody>\(problemRows)</tbody></table>")
            \(more)
            """)
    }

    private static func state(_ row: RowSummary) -> String {
        let place = row.stage == "respond" ? "response" : "round \(row.round)"
        return "\(ProgressWording.state(row.state)) at \(place)" + (row.errorCode.map { " (\($0))" } ?? "")
    }

    private static func form(run: RunRef, query: Query, codes: [String], shards: [ShardSpan]) -> HTML {
        let codeOptions = ([""] + codes).map { code in
            HTML("<option value=\"\(code)\"\(query.filter.failureCode == code ? " selected" : "")>\(code.isEmpty ? "any" : code)</option>")
        }
        let shardOptions =
            [HTML("<option value=\"\">all</option>")]
            + shards.map { shard in
                HTML(
                    "<option value=\"\(shard.shardID)\"\(query.shard == shard.shardID ? " selected" : "")>\(shard.ordinal): lines \(shard.lines.lowerBound)–\(shard.lines.upperBound)</option>"
                )
            }
        return """
            <form method="get" action="/runs/\(run.id)/rows" class="filters">
            <label>difficulty <input type="number" name="difficulty" min="1" value="\(query.filter.difficulty.map { String($0) } ?? "")"></label>
            <label>failure code <select name="code">\(codeOptions)</select></label>
            <label>shard <select name="shard">\(shardOptions)</select></label>
            <label>text <input type="search" name="q" value="\(query.filter.search ?? "")"></label>
            <button type="submit">Show</button>
            </form>
            """
    }
}
