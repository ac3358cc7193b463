import ArgumentParser
import TaskStore
import TreeInstructCore

/// Sends failed (or all) tasks of a run or shard back to work; history is kept.
struct RerunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rerun", abstract: "Put a run's or a shard's failed tasks (or all with --all) back to pending.")

    @OptionGroup var database: DatabaseOptions
    @Option(name: .long, help: "Run name.") var run: String
    @Option(name: .long, parsing: .unconditional, help: "Only this shard (its shard_id in `status --shards` or shard_progress).") var shard: Int64?
    @Flag(help: "Redo everything in scope, discarding its results (default: failed and cancelled tasks only).") var all = false
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try Check.runName("--run", run)
        try Check.range("--shard", shard, 1...Int64.max)
        let (name, shard, scope) = (run, shard, all ? RerunScope.all : .failed)
        let count = try await database.withDatabase { database in
            let run = try await database.queue.runs.requireRun(name)
            if let shard, try await !database.queue.runs.shardExists(shard, runID: run.id) {
                throw NotFound(
                    "run \"\(PrintableName.shown(name, limit: 40))\" has no shard \(shard) (see `treeinstruct status --run NAME --shards`)")
            }
            return try await database.queue.runs.rerun(runID: run.id, shardID: shard, scope: scope)
        }
        print(json ? JSONOutput.render(["pending_again": .number(Double(count))]) : "\(count) tasks pending again")
    }
}
