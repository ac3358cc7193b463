import ArgumentParser
import TaskStore

/// Stops a run's pending work; running calls finish. `rerun` resumes it.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a run's pending tasks (rerun resumes it).")

    @OptionGroup var database: DatabaseOptions
    @Option(name: .long, help: "Run name.") var run: String
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try Check.runName("--run", run)
        let name = run
        let count = try await database.withDatabase { database in
            try await database.queue.runs.cancelRun(id: try await database.queue.runs.requireRun(name).id)
        }
        print(json ? JSONOutput.render(["cancelled": .number(Double(count))]) : "\(count) pending tasks cancelled")
    }
}
