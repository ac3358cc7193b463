import ArgumentParser
import Foundation
import TaskStore
import TreeInstructCore

/// Progress of runs, once or live.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show progress, rate, ETA, cost and top failure codes of runs.",
        discussion: """
            The rate is measured over the time actually observed: since the first claim of the last 5 minutes, \
            or since the last rerun if later. Failed and cancelled rows are shown as such, never as done. \
            With --watch on a terminal the screen is redrawn; otherwise one plain line per run is printed \
            each interval.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(name: .long, help: "Only this run.") var run: String?
    @Flag(help: "Also show each shard of the run(s): its lines, state and counts.") var shards = false
    @Flag(help: "Refresh every --interval seconds until interrupted.") var watch = false
    @Option(name: .long, parsing: .unconditional, help: "Seconds between refreshes with --watch, \(Self.intervalRange) (default 2).") var interval:
        Double = 2
    @Option(name: .long, parsing: .unconditional, help: "Price per million prompt tokens, to show cost.") var promptPrice: Double?
    @Option(name: .long, parsing: .unconditional, help: "Price per million completion tokens, to show cost.") var completionPrice: Double?
    @Flag(help: "Print JSON (one document per refresh).") var json = false

    static let intervalRange = 0.2...86_400.0
    static let priceRange = 0.0...1_000_000.0

    func run() async throws {
        try Check.runName("--run", run)
        try Check.range("--interval", interval, Self.intervalRange)
        try Check.range("--prompt-price", promptPrice, Self.priceRange)
        try Check.range("--completion-price", completionPrice, Self.priceRange)
        let (name, shards, watch, interval, json) = (run, shards, watch, interval, json)
        let prices = StatusView.Prices(prompt: promptPrice, completion: completionPrice)
        let redraw = watch && !json && isatty(STDOUT_FILENO) == 1
        try await database.withDatabase { database in
            repeat {
                do {
                    let snapshot = try await withDeadline(.seconds(max(10, interval))) {
                        try await StatusSnapshot.read(database.queue, run: name, shards: shards)
                    }
                    let text =
                        json
                        ? StatusView.json(snapshot, prices)
                        : watch && !redraw
                            ? StatusView.lines(snapshot, prices)
                            : StatusView.text(snapshot, prices)
                    // Written unbuffered: a pipe or a log file sees each refresh when it happens.
                    FileHandle.standardOutput.write(Data(((redraw ? "\u{1B}[2J\u{1B}[H" : "") + text + "\n").utf8))
                } catch  where watch && !(error is NotFound) && !(error is CancellationError) {
                    // A watch outlives a database restart: it says what happened and tries again.
                    let reason = Failure(error, subcommand: "status").message
                    FileHandle.standardError.write(
                        Data("\(ISO8601DateFormatter().string(from: Date())) database unavailable (\(reason)); retrying\n".utf8))
                }
                if watch { try await Task.sleep(for: .seconds(interval)) }
            } while watch
        }
    }
}

/// What one refresh of `status` shows: runs, their top failures and, on request, their shards.
struct StatusSnapshot {
    var runs: [RunProgress]
    var failures: [Int64: [(code: String, attempts: Int, example: String)]] = [:]
    var shards: [Int64: [ShardProgress]] = [:]
    /// Endpoints that are down or out of quota (the healthy ones need no line).
    var troubledEndpoints: [EndpointStatus] = []
    /// Batch-mode runs' provider batches, by run id.
    var batches: [Int64: BatchProgress] = [:]

    static func read(_ queue: QueueSchema, run name: String?, shards withShards: Bool) async throws -> StatusSnapshot {
        var snapshot = StatusSnapshot(runs: try await queue.progress.runProgress(run: name))
        if let name, snapshot.runs.isEmpty {
            // Read from the view, not the runs table: the monitor role may read only the views.
            throw NotFound.run(name, among: try await queue.progress.runProgress().suffix(10).reversed().map(\.run))
        }
        snapshot.troubledEndpoints = try await queue.progress.endpointStatus().filter { $0.state != "up" }
        snapshot.batches = try await queue.progress.batchProgress()
        for run in snapshot.runs {
            snapshot.failures[run.runID] = try await queue.progress.topFailures(run: run.run)
            if withShards { snapshot.shards[run.runID] = try await queue.progress.shardProgress(runID: run.runID) }
        }
        return snapshot
    }
}
