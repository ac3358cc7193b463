import ArgumentParser
import TaskStore
import TreeInstructCore

/// Switches a run between live calls and the provider's Batch API for its remaining tasks: to
/// finish a batch run's last tasks (retries of rejected answers) live, or to send a large live
/// run's rest at half the price.
struct ModeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mode", abstract: "Switch a run's remaining tasks to live calls or to the provider's Batch API.")

    @OptionGroup var database: DatabaseOptions
    @Option(name: .long, help: "Run name.") var run: String
    @Argument(help: "live or batch.") var mode: CallMode
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try Check.runName("--run", run)
        let (name, batch) = (run, mode == .batch ? BatchSettings() : nil)
        try await database.withDatabase { database in
            try await database.queue.runs.setMode(runID: try await database.queue.runs.requireRun(name).id, batch: batch)
        }
        let text = mode == .batch ? "pending tasks go to the provider's Batch API" : "pending tasks are called live"
        print(json ? JSONOutput.render(["mode": .string(mode.rawValue)]) : "run \(PrintableName.shown(name, limit: 40)): \(text)")
    }
}
