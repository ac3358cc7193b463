import ArgumentParser
import Coordinator
import CorpusIngest
import Foundation
import TaskStore
import TreeInstructCore

/// Streams a corpus into a run, sharded, de-duplicated, bad lines recorded.
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "submit", abstract: "Add a corpus to a run (created on first submit).")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var method: MethodOptions
    @Option(name: .long, help: "Corpus file: JSONL, JSON array or text ('-' for standard input).") var corpus: String
    @Option(name: .long, help: "Run name.") var run: String
    @Option(name: .long, help: "Corpus format (detected when omitted).") var format: CorpusFormat?
    @Option(name: .long, help: "Records per shard (default 1000).") var shardSize: Int = 1000
    @Option(name: .long, help: "Longest record accepted, in bytes.") var maxRecordBytes: Int = CorpusDecoder.defaultMaxRecordBytes
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let config = try method.config()
        let file = CorpusFile(path: corpus, format: format, maxRecordBytes: maxRecordBytes)
        _ = try file.resolvedFormat()
        let (run, shardSize) = (self.run, self.shardSize)
        let summary = try await database.withDatabase { database in
            try await Migrator(database: database).migrate()
            return try await Submission(queue: database.queue, shardSize: shardSize).submit(file, runName: run, config: config)
        }
        print(SubmitCommand.describe(summary, json: json))
    }

    static func describe(_ summary: SubmissionSummary, json: Bool) -> String {
        if json {
            return JSONOutput.render(["run": .string(summary.run), "records": .number(Double(summary.recordsRead)),
                                      "tasks_created": .number(Double(summary.tasksCreated)), "duplicates": .number(Double(summary.duplicates)),
                                      "bad_records": .number(Double(summary.badRecords)), "shards": .number(Double(summary.shardsCreated)),
                                      "seconds": .number(summary.seconds)])
        }
        return "run \(summary.run): \(summary.recordsRead) records read, \(summary.tasksCreated) tasks created, "
            + "\(summary.duplicates) duplicates, \(summary.badRecords) bad records (see ingest_errors), "
            + "\(summary.shardsCreated) shards, \(String(format: "%.1f", summary.seconds)) s"
    }
}
