import ArgumentParser
import Foundation
import TaskStore
import TreeInstructCore

/// Progress of runs, once or live.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show progress, rate, ETA, cost and top failure codes of runs.")

    @OptionGroup var database: DatabaseOptions
    @Option(name: .long, help: "Only this run.") var run: String?
    @Flag(help: "Refresh every --interval seconds until interrupted.") var watch = false
    @Option(name: .long, help: "Seconds between refreshes with --watch.") var interval: Double = 2
    @Option(name: .long, help: "Price per million prompt tokens, to show cost.") var promptPrice: Double?
    @Option(name: .long, help: "Price per million completion tokens, to show cost.") var completionPrice: Double?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let (name, watch, interval, json, prices) = (run, watch, interval, json, (promptPrice, completionPrice))
        try await database.withDatabase { database in
            repeat {
                let progress = try await database.queue.progress(run: name)
                var failures: [String: [(code: String, attempts: Int, example: String)]] = [:]
                for run in progress { failures[run.run] = try await database.queue.topFailures(run: run.run) }
                let text = json ? StatusView.json(progress, failures, prices) : StatusView.text(progress, failures, prices)
                print(watch && !json ? "\u{1B}[2J\u{1B}[H" + text : text)
                if watch { try await Task.sleep(for: .milliseconds(Int64(interval * 1000))) }
            } while watch
        }
    }
}

/// Renders progress for people (bars) and for scripts (JSON).
enum StatusView {
    typealias Failures = [String: [(code: String, attempts: Int, example: String)]]

    static func cost(_ run: RunProgress, _ prices: (Double?, Double?)) -> Double? {
        guard prices.0 != nil || prices.1 != nil else { return nil }
        return Double(run.promptTokens) * (prices.0 ?? 0) / 1e6 + Double(run.completionTokens) * (prices.1 ?? 0) / 1e6
    }

    static func text(_ runs: [RunProgress], _ failures: Failures, _ prices: (Double?, Double?)) -> String {
        if runs.isEmpty { return "no runs yet" }
        return runs.map { run in
            let width = 30
            let filled = Int((run.percentDone / 100 * Double(width)).rounded())
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            var lines = ["\(run.run)  [\(bar)] \(String(format: "%.1f", run.percentDone))%  \(run.rowsFinished)/\(run.sourceRows) rows"]
            let eta = run.etaSeconds.map { Self.duration($0) } ?? "–"
            lines.append("  pending \(run.pending)  running \(run.running)  succeeded \(run.succeeded)  failed \(run.failed)  cancelled \(run.cancelled)")
            var rate = "  \(String(format: "%.1f", run.tasksPerMinute)) tasks/min  ETA \(eta)  tokens \(run.promptTokens)+\(run.completionTokens)"
            if let cost = cost(run, prices) { rate += String(format: "  cost $%.4f", cost) }
            lines.append(rate)
            for failure in failures[run.run] ?? [] {
                lines.append("  \(failure.code) ×\(failure.attempts): \(failure.example.prefix(100))")
            }
            return lines.joined(separator: "\n")
        }.joined(separator: "\n\n")
    }

    static func json(_ runs: [RunProgress], _ failures: Failures, _ prices: (Double?, Double?)) -> String {
        JSONOutput.render(.array(runs.map { run in
            var fields: [String: JSONValue] = [
                "run": .string(run.run), "source_rows": .number(Double(run.sourceRows)), "pending": .number(Double(run.pending)),
                "running": .number(Double(run.running)), "succeeded": .number(Double(run.succeeded)), "failed": .number(Double(run.failed)),
                "cancelled": .number(Double(run.cancelled)), "rows_finished": .number(Double(run.rowsFinished)),
                "percent_done": .number(run.percentDone), "tasks_per_minute": .number(run.tasksPerMinute),
                "eta_seconds": run.etaSeconds.map { .number($0) } ?? .null,
                "prompt_tokens": .number(Double(run.promptTokens)), "completion_tokens": .number(Double(run.completionTokens)),
                "failures": .array((failures[run.run] ?? []).map { ["code": .string($0.code), "attempts": .number(Double($0.attempts))] }),
            ]
            if let cost = cost(run, prices) { fields["cost"] = .number(cost) }
            return .object(fields)
        }))
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds)
        return total >= 3600 ? "\(total / 3600)h\(total % 3600 / 60)m" : total >= 60 ? "\(total / 60)m\(total % 60)s" : "\(total)s"
    }
}
