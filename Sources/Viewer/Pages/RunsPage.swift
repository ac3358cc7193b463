import Foundation
import TaskStore
import TreeInstructCore

/// Every run: its rows as a bar, the numbers `status` shows, and the endpoints in trouble.
/// The page asks `/api/runs` for fresh numbers every few seconds and moves them in place.
enum RunsPage {
    static func html(_ runs: [RunProgress], endpoints: [EndpointStatus], prices: TokenPrices) -> HTML {
        let trouble = endpoints.filter { $0.state != "up" }.map { endpoint -> HTML in
            "<p class=\"alert\">Endpoint \(endpoint.key) is \(endpoint.state == "quota" ? "out of quota" : endpoint.state): \(endpoint.lastError ?? "") (\(endpoint.tasksWaiting) tasks waiting)</p>"
        }
        let endpointRows = endpoints.map { endpoint -> HTML in
            "<tr><td>\(endpoint.key)</td><td class=\"state-\(endpoint.state)\">\(endpoint.state)</td><td>\(ProgressWording.duration(Date().timeIntervalSince(endpoint.since)))</td><td>\(endpoint.faults)</td><td class=\"text\">\(endpoint.lastError ?? "")</td></tr>"
        }
        let endpointTable: HTML =
            endpoints.isEmpty
            ? ""
            : "<h2>Endpoints</h2><table><thead><tr><th>endpoint</th><th>state</th><th>for</th><th>faults</th><th>last error</th></tr></thead><tbody>\(endpointRows)</tbody></table>"
        guard !runs.isEmpty else {
            return Layout.page(
                title: "Runs", live: "/api/runs", "\(trouble)<h1>Runs</h1><p>No runs yet: submit a corpus with <code>treeinstruct submit</code>.</p>")
        }
        let lines = runs.map { run in
            let numbers = RunNumbers(run, prices: prices)
            return HTML(
                """
                <tr data-run="\(run.runID)">
                <td><a href="/runs/\(run.runID)">\(run.run)</a></td>
                \(numbers.cells(run))
                </tr>
                """)
        }
        return Layout.page(
            title: "Runs", live: "/api/runs",
            """
            \(trouble)<h1>Runs</h1>
            <table class="runs">
            <thead><tr><th>run</th><th>state</th><th>rows: succeeded, failed, cancelled, open</th><th>rows done</th><th>rate</th><th>ETA</th><th>tokens</th><th>cost</th></tr></thead>
            <tbody>\(lines)</tbody>
            </table>
            <p class="quiet">Numbers refresh every few seconds; they are the ones <code>treeinstruct status</code> prints.</p>
            \(endpointTable)
            """)
    }
}

/// One run's numbers as text, for the page and for its live refresh alike.
struct RunNumbers {
    var state: String
    var percent: String
    var rows: String
    var rate: String
    var eta: String
    var tokens: String
    var cost: String?

    init(_ run: RunProgress, prices: TokenPrices) {
        state = ProgressWording.state(run.state)
        percent = ProgressWording.percent(run.percentDone)
        rows = "\(run.rowsSucceeded) of \(run.sourceRows) (\(run.rowsFailed) failed, \(run.rowsCancelled) cancelled)"
        rate = ProgressWording.rate(tasksPerMinute: run.tasksPerMinute, state: run.state)
        eta = ProgressWording.eta(tasksRemaining: run.tasksRemaining, seconds: run.etaSeconds)
        tokens = "\(run.promptTokens) + \(run.completionTokens)"
        cost = prices.costText(promptTokens: run.promptTokens, completionTokens: run.completionTokens)
    }

    /// The cells the live refresh updates (`data-field`, the bar's `data-seg`), the same on the
    /// runs page and a run's page.
    func cells(_ run: RunProgress) -> HTML {
        """
        <td data-field="state">\(state)</td>
        <td class="bar-cell">\(ProgressBar.svg(.init(run), label: "rows of \(run.run)"))<span data-field="percent">\(percent)</span></td>
        <td data-field="rows">\(rows)</td><td data-field="rate">\(rate)</td><td data-field="eta">\(eta)</td>
        <td data-field="tokens">\(tokens)</td><td data-field="cost">\(cost ?? "")</td>
        """
    }

    /// The live refresh's document: numbers as text and the bar's segments in percent.
    static func json(_ runs: [RunProgress], prices: TokenPrices) -> String {
        JSONValue.array(
            runs.map { run in
                let numbers = RunNumbers(run, prices: prices)
                var segments: [String: JSONValue] = [:]
                for span in ProgressBar.Segments(run).spans { segments[span.name] = ["x": .number(span.x), "width": .number(span.width)] }
                return [
                    "run": .string(String(run.runID)), "state": .string(numbers.state), "percent": .string(numbers.percent),
                    "rows": .string(numbers.rows), "rate": .string(numbers.rate), "eta": .string(numbers.eta),
                    "tokens": .string(numbers.tokens), "cost": .string(numbers.cost ?? ""), "segments": .object(segments),
                ]
            }
        ).compactText
    }
}
