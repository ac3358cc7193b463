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
        let (name, format, order, lineage, output) = (run, format, order, lineage, output)
        let count = try await database.withDatabase { database in
            let run = try await database.queue.runs.requireRun(name)
            // Opened only once the run is known, so a typo leaves no empty file behind.
            let handle = try ExportCommand.open(output)
            let count = try await Export(queue: database.queue, format: format, order: order, lineage: lineage).write(runID: run.id, to: handle)
            if output != "-" { try handle.close() }
            return count
        }
        if output != "-" { print("wrote \(count) rows to \(output)") }
    }

    static func open(_ path: String) throws -> FileHandle {
        if path == "-" { return .standardOutput }
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw UsageError("--output \(path): cannot write there") }
        return try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }
}

extension ExportFormat: ExpressibleByArgument {}
extension ExportOrder: ExpressibleByArgument {}
