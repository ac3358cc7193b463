import Foundation
import TaskStore
import TreeInstructCore

/// One run: its numbers, attempts per minute, shards, failure codes with an example each (each
/// a link to the rows that failed so), its provider batches (batch mode), and the workers at work.
enum RunPage {
    struct Facts {
        var run: RunProgress
        var shards: [ShardProgress]
        var minutes: [MinuteCount]
        var failures: [(code: String, attempts: Int, example: String)]
        var workers: [ActiveWorker]
        /// Its provider batches, newest first (batch-mode runs).
        var batches: [BatchRow] = []
    }

    static func html(_ facts: Facts, prices: TokenPrices) -> HTML {
        let run = facts.run
        let numbers = RunNumbers(run, prices: prices)
        let shards = facts.shards.map { shard in
            HTML(
                """
                <tr><td><a href="/runs/\(run.runID)/rows\(URLPart.query([("shard", String(shard.shardID))]))">\(shard.ordinal)</a></td>
                <td>\(shard.sourceFile)</td><td>\(shard.firstLine)–\(shard.lastLine)</td><td>\(ProgressWording.state(shard.state))</td>
                <td class="bar-cell">\(ProgressBar.svg(.init(shard), label: "rows of shard \(shard.ordinal)"))\(ProgressWording.percent(shard.percentDone))</td>
                <td>\(shard.rowsSucceeded) of \(shard.sourceRows)</td><td>\(shard.failed)</td><td>\(shard.cancelled)</td></tr>
                """)
        }
        let failures = facts.failures.map { failure in
            HTML(
                """
                <tr><td><a href="/runs/\(run.runID)/rows\(URLPart.query([("code", failure.code)]))">\(failure.code)</a></td>
                <td>\(failure.attempts)</td><td class="text">\(failure.example)</td></tr>
                """)
        }
        let workers = facts.workers.map { worker in
            HTML(
                """
                <tr><td>\(worker.id)</td><td>\(worker.host)</td><td>\(worker.concurrency)</td><td>\(worker.runningTasks)</td>
                <td>\(worker.succeededLastFiveMinutes)</td><td>\(ProgressWording.duration(worker.secondsSinceHeartbeat)) ago</td></tr>
                """)
        }
        let batches = facts.batches.map { batch in
            HTML(
                """
                <tr><td>\(batch.id)</td><td>\(batch.providerBatchID ?? "")</td><td>\(batch.state)</td><td>\(batch.providerStatus ?? "")</td>
                <td>\(batch.requests)</td><td>\(batch.completed)</td><td>\(batch.failed)</td><td>\(batch.applied)</td><td>\(batch.rejected)</td>
                <td>\(batch.returned)</td><td>\(ProgressWording.duration(max(0, -batch.createdAt.timeIntervalSinceNow))) ago</td>
                <td>\(batch.expiresAt.map { ProgressWording.duration(max(0, $0.timeIntervalSinceNow)) } ?? "")</td>
                <td class="text">\(batch.note ?? "")</td></tr>
                """)
        }
        return Layout.page(
            title: run.run, trail: [(run.run, "/runs/\(run.runID)")], live: "/api/runs",
            """
            <h1>\(run.run)</h1>
            <table class="runs"><tbody><tr data-run="\(run.runID)">
            \(numbers.cells(run))
            </tr></tbody></table>
            <p><a href="/runs/\(run.runID)/rows">Read the rows</a></p>
            <h2>Attempts per minute</h2>
            \(ThroughputChart.svg(facts.minutes))
            <h2>Failure codes</h2>
            \(failures.isEmpty ? HTML("<p class=\"quiet\">No attempt has failed.</p>") : "<table><thead><tr><th>code</th><th>attempts</th><th>latest example</th></tr></thead><tbody>\(failures)</tbody></table>")
            \(batches.isEmpty ? HTML("") : "<h2>Provider batches</h2><table><thead><tr><th>batch</th><th>provider id</th><th>state</th><th>provider status</th><th>requests</th><th>completed</th><th>failed</th><th>answers stored</th><th>rejected</th><th>returned</th><th>made</th><th>deadline in</th><th>note</th></tr></thead><tbody>\(batches)</tbody></table>")
            <h2>Shards</h2>
            <table><thead><tr><th>shard</th><th>file</th><th>lines</th><th>state</th><th>rows</th><th>succeeded</th><th>failed</th><th>cancelled</th></tr></thead>
            <tbody>\(shards)</tbody></table>
            <h2>Active workers</h2>
            \(workers.isEmpty ? HTML("<p class=\"quiet\">No worker heard from in the last minute.</p>") : "<table><thead><tr><th>worker</th><th>host</th><th>concurrency</th><th>running</th><th>succeeded, 5 min</th><th>last heard</th></tr></thead><tbody>\(workers)</tbody></table>")
            """)
    }
}
