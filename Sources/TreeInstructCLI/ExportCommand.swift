import ArgumentParser
import Coordinator
import Foundation
import TaskStore

/// Writes a run's finished rows as a dataset, streaming.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Write a run's finished rows as Alpaca or ShareGPT JSONL.")

    @OptionGroup var database: DatabaseOptions
    @Option(name: .long, help: "Run name.") var run: String
    @Option(name: .long, help: "alpaca or sharegpt.") var format: ExportFormat = .alpaca
    @Option(name: .long, help: "Output file ('-' for standard output).") var output: String = "-"
    @Option(name: .long, help: "source (corpus order) or difficulty (easiest first).") var order: ExportOrder = .source
    @Flag(help: "Add lineage: source line, each round's trees, added nodes, model and tokens.") var lineage = false

    func run() async throws {
        try Check.runName("--run", run)
        // Resolved first, so an unusable path fails before connecting; opened only once the
        // run is known, and replaced only when the last row is written.
        let target = try OutputTarget.resolve(output)
        let (name, format, order, lineage) = (run, format, order, lineage)
        let count = try await database.withDatabase { database in
            let run = try await database.queue.runs.requireRun(name)
            return try await target.write { output in
                try await Export(queue: database.queue, format: format, order: order, lineage: lineage).write(runID: run.id, to: output)
            }
        }
        if target.kind != .standardOutput { print("wrote \(count) rows to \(output)") }
    }
}

extension ExportFormat: ExpressibleByArgument {}
extension ExportOrder: ExpressibleByArgument {}
