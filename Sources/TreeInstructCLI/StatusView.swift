import Foundation
import TaskStore
import TreeInstructCore

/// Renders progress for people (bars, or one line per run for logs) and for scripts (JSON).
/// Names and failure examples are shown escaped: they may hold anything a user or an endpoint
/// wrote, and must not move a terminal's cursor.
enum StatusView {
    /// Prices per million tokens, for the cost column.
    struct Prices {
        var tokenPrices: TokenPrices

        init(prompt: Double? = nil, completion: Double? = nil) { tokenPrices = TokenPrices(prompt: prompt, completion: completion) }

        /// Batch API tokens cost this share of the live price (default 0.5, OpenAI's terms).
        var batchShare = 0.5

        func cost(_ run: RunProgress) -> Double? {
            guard
                let live = tokenPrices.cost(
                    promptTokens: run.promptTokens - run.batchPromptTokens, completionTokens: run.completionTokens - run.batchCompletionTokens),
                let batch = tokenPrices.cost(promptTokens: run.batchPromptTokens, completionTokens: run.batchCompletionTokens)
            else { return nil }
            return live + batch * batchShare
        }
    }

    /// - Parameter browserHint: end with where the viewer shows the run (not after `local`, whose
    ///   private database stops with it).
    static func text(_ snapshot: StatusSnapshot, _ prices: Prices, browserHint: Bool = true) -> String {
        let endpoints = snapshot.troubledEndpoints.map { endpointText($0) + "\n\n" }.joined()
        if snapshot.runs.isEmpty { return endpoints + "no runs yet" }
        return endpoints
            + snapshot.runs.map { run in
                let bar = Self.bar(run.percentDone, width: 30)
                var lines = [
                    "\(PrintableName.shown(run.run))  \(stateText(run.state))  [\(bar)] \(percent(run.percentDone)) done  "
                        + "\(run.rowsSucceeded)/\(run.sourceRows) rows succeeded, \(run.rowsFailed) failed, \(run.rowsCancelled) cancelled"
                ]
                lines.append(
                    "  tasks: pending \(run.pending)  running \(run.running)  succeeded \(run.succeeded)  failed \(run.failed)  cancelled \(run.cancelled)"
                )
                var rate = "  \(rateText(run))  ETA \(etaText(run))  tokens \(run.promptTokens)+\(run.completionTokens)"
                if run.batchPromptTokens + run.batchCompletionTokens > 0 {
                    rate += " (batch \(run.batchPromptTokens)+\(run.batchCompletionTokens))"
                }
                if let cost = prices.cost(run) { rate += String(format: "  cost $%.4f", cost) }
                lines.append(rate)
                if let batches = snapshot.batches[run.runID] { lines.append("  " + batchText(batches)) }
                for failure in snapshot.failures[run.runID] ?? [] {
                    lines.append("  \(failure.code) ×\(failure.attempts): \(PrintableName.shown(failure.example, limit: 100))")
                }
                if let shards = snapshot.shards[run.runID] {
                    lines.append("  shard_id  lines            state                 rows  succeeded  failed  cancelled  done")
                    for shard in shards {
                        lines.append(
                            "  "
                                + [
                                    pad("\(shard.shardID)", 8), pad("\(shard.firstLine)-\(shard.lastLine)", 15),
                                    pad(stateText(shard.state), 20), pad("\(shard.sourceRows)", 5, right: true),
                                    pad("\(shard.rowsSucceeded)", 10, right: true), pad("\(shard.failed)", 7, right: true),
                                    pad("\(shard.cancelled)", 10, right: true), pad(percent(shard.percentDone), 6, right: true),
                                ]
                                .joined(separator: " "))
                    }
                }
                return lines.joined(separator: "\n")
            }.joined(separator: "\n\n")
            + (browserHint
                ? "\n\nRows, trees and live progress in a browser: treeinstruct serve, then http://127.0.0.1:8321/runs/"
                    + (snapshot.runs.count == 1 ? "\(snapshot.runs[0].runID)" : "<id> (the list at /)") : "")
    }

    /// One plain line per run, time-stamped: `--watch` into a file or a pipe.
    static func lines(_ snapshot: StatusSnapshot, _ prices: Prices) -> String {
        let time = ISO8601DateFormatter().string(from: Date())
        let endpoints = snapshot.troubledEndpoints.map { "\(time) \(endpointText($0))\n" }.joined()
        if snapshot.runs.isEmpty { return endpoints + "\(time) no runs yet" }
        return endpoints
            + snapshot.runs.map { run in
                var line =
                    "\(time) \(PrintableName.shown(run.run)) \(stateText(run.state)) \(percent(run.percentDone)) done "
                    + "\(run.rowsSucceeded)/\(run.sourceRows) rows, \(run.rowsFailed) failed, \(run.rowsCancelled) cancelled, "
                    + "\(run.pending) pending, \(run.running) running, \(rateText(run)), ETA \(etaText(run))"
                if let cost = prices.cost(run) { line += String(format: ", cost $%.4f", cost) }
                return line
            }.joined(separator: "\n")
    }

    static func json(_ snapshot: StatusSnapshot, _ prices: Prices) -> String {
        JSONOutput.render(
            .array(
                snapshot.runs.map { run in
                    var fields: [String: JSONValue] = [
                        "run": .string(run.run), "state": .string(run.state), "source_rows": count(run.sourceRows),
                        "pending": count(run.pending), "running": count(run.running), "succeeded": count(run.succeeded),
                        "failed": count(run.failed), "cancelled": count(run.cancelled), "rows_succeeded": count(run.rowsSucceeded),
                        "rows_failed": count(run.rowsFailed), "rows_cancelled": count(run.rowsCancelled),
                        "percent_done": .number(run.percentDone), "tasks_per_minute": run.tasksPerMinute.map { .number($0) } ?? .null,
                        "tasks_remaining": count(run.tasksRemaining), "eta_seconds": run.etaSeconds.map { .number($0) } ?? .null,
                        "prompt_tokens": count(run.promptTokens), "completion_tokens": count(run.completionTokens),
                        "batch_prompt_tokens": count(run.batchPromptTokens), "batch_completion_tokens": count(run.batchCompletionTokens),
                        "failures": .array((snapshot.failures[run.runID] ?? []).map { ["code": .string($0.code), "attempts": count($0.attempts)] }),
                    ]
                    if let cost = prices.cost(run) { fields["cost"] = .number(cost) }
                    if let batches = snapshot.batches[run.runID] {
                        fields["batches"] = [
                            "open": count(batches.open), "to_apply": count(batches.toApply), "applied": count(batches.applied),
                            "abandoned": count(batches.abandoned), "requests_out": count(batches.requestsOut),
                            "answers_applied": count(batches.answersApplied), "answers_rejected": count(batches.answersRejected),
                            "tasks_returned": count(batches.tasksReturned),
                            "next_deadline": batches.nextDeadline.map { .string(ISO8601DateFormatter().string(from: $0)) } ?? .null,
                        ]
                    }
                    if let shards = snapshot.shards[run.runID] {
                        fields["shards"] = .array(
                            shards.map { shard in
                                [
                                    "shard_id": .number(Double(shard.shardID)), "ordinal": count(shard.ordinal),
                                    "source_file": .string(shard.sourceFile),
                                    "first_line": count(shard.firstLine), "last_line": count(shard.lastLine), "state": .string(shard.state),
                                    "source_rows": count(shard.sourceRows), "rows_succeeded": count(shard.rowsSucceeded),
                                    "pending": count(shard.pending),
                                    "running": count(shard.running), "failed": count(shard.failed), "cancelled": count(shard.cancelled),
                                    "percent_done": .number(shard.percentDone),
                                ]
                            })
                    }
                    return .object(fields)
                }))
    }

    /// "batches: 2 at the provider (180 requests), 0 to apply, 5 applied, 0 abandoned; 460
    /// answers applied, 23 rejected, 40 returned; next deadline in 23h05m".
    static func batchText(_ batches: BatchProgress) -> String {
        var text =
            "batches: \(batches.open) at the provider (\(batches.requestsOut) requests), \(batches.toApply) to apply, "
            + "\(batches.applied) applied, \(batches.abandoned) abandoned; \(batches.answersApplied) answers applied, "
            + "\(batches.answersRejected) rejected, \(batches.tasksReturned) returned"
        if let deadline = batches.nextDeadline { text += "; next deadline in \(duration(max(0, deadline.timeIntervalSinceNow)))" }
        return text
    }

    /// "endpoint URL down for 3m05s since …: last error; N tasks waiting, next probe in 4s".
    static func endpointText(_ endpoint: EndpointStatus) -> String {
        let what = endpoint.state == "quota" ? "out of quota" : endpoint.state
        var text =
            "endpoint \(PrintableName.shown(endpoint.key, limit: 80)) \(what) for \(duration(Date().timeIntervalSince(endpoint.since))) "
            + "(since \(ISO8601DateFormatter().string(from: endpoint.since))): \(PrintableName.shown(endpoint.lastError ?? "", limit: 100)); "
            + "\(endpoint.tasksWaiting) tasks waiting"
        if let next = endpoint.nextProbeAt { text += ", next probe in \(duration(max(0, next.timeIntervalSinceNow)))" }
        return text
    }

    /// `percent` as a bar of `width` cells.
    static func bar(_ percent: Double, width: Int) -> String {
        let filled = min(width, max(0, Int((percent / 100 * Double(width)).rounded())))
        return String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
    }

    static func stateText(_ state: String) -> String { ProgressWording.state(state) }

    static func rateText(_ run: RunProgress) -> String { ProgressWording.rate(tasksPerMinute: run.tasksPerMinute, state: run.state) }

    static func etaText(_ run: RunProgress) -> String { ProgressWording.eta(tasksRemaining: run.tasksRemaining, seconds: run.etaSeconds) }

    static func percent(_ value: Double) -> String { ProgressWording.percent(value) }

    static func count(_ value: Int) -> JSONValue { .number(Double(value)) }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }

    static func duration(_ seconds: Double) -> String { ProgressWording.duration(seconds) }
}
