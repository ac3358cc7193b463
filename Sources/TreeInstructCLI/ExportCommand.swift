import ArgumentParser
import Coordinator
import Foundation
import TaskStore

/// Writes a run's ended rows as a dataset, streaming.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write a run's ended rows (complete, or at their last accepted round) as Alpaca or ShareGPT JSONL.",
        discussion: """
            A row is exported once its chain has ended: every stage succeeded, or a later task failed or was \
            cancelled, in which case its last accepted round is written with that round's difficulty (and no \
            answer: alpaca output "", sharegpt without a gpt turn); --complete-only writes complete rows only. \
            Rows still in progress wait for a later export.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(name: .long, help: "Run name.") var run: String
    @Option(name: .long, help: "Dataset layout.") var format: ExportFormat = .alpaca
    @Option(name: .long, help: "Output file ('-' for standard output).") var output: String = "-"
    @Option(name: .long, help: "source (corpus order) or difficulty (each level in turn, lowest first).") var order: ExportOrder = .source
    @Flag(help: "Add lineage: source line, each accepted round's trees, added nodes, model and tokens (default: off).") var lineage = false
    @OptionGroup var rows: ExportSelectionOptions

    func run() async throws {
        try Check.runName("--run", run)
        let selection = try rows.selection()
        // Resolved first, so an unusable path fails before connecting; opened only once the
        // run is known, and replaced only when the last row is written.
        let target = try OutputTarget.resolve(output)
        let (name, format, order, lineage) = (run, format, order, lineage)
        let count = try await database.withDatabase { database in
            let run = try await database.queue.runs.requireRun(name)
            return try await target.write { output in
                try await Export(queue: database.queue, format: format, order: order, lineage: lineage, selection: selection)
                    .write(runID: run.id, to: output)
            }
        }
        if target.kind != .standardOutput { print("wrote \(count) rows to \(output)") }
    }
}

extension ExportFormat: ExpressibleByArgument {}
extension ExportOrder: ExpressibleByArgument {}
