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
    @Option(name: .long, help: "Corpus file: JSONL, JSON array or text, plain, gzip or zstd ('-' for standard input).") var corpus: String
    @Option(name: .long, help: "Run name, 1 to 128 printable characters.") var run: String
    @Option(name: .long, help: "Corpus format (detected when omitted).") var format: CorpusFormat?
    @Option(name: .long, parsing: .unconditional, help: "Records per shard, \(Self.shardSizeRange) (default 1000).") var shardSize: Int = 1000
    @Option(name: .long, parsing: .unconditional, help: "Longest record accepted, in bytes, \(CorpusOptions.maxRecordBytesRange) (default 1 MiB).")
    var maxRecordBytes: Int = CorpusDecoder.defaultMaxRecordBytes
    @Flag(help: "Print JSON.") var json = false

    static let shardSizeRange = 1...100_000

    func run() async throws {
        let config = try method.config()
        try Check.runName("--run", run)
        try Check.range("--shard-size", shardSize, Self.shardSizeRange)
        let file = try CorpusOptions.open(corpus, format: format, maxRecordBytes: maxRecordBytes)
        let (run, shardSize) = (self.run, self.shardSize)
        let summary = try await database.withDatabase(schema: .migrate) { database in
            try await Submission(queue: database.queue, shardSize: shardSize).submit(file, runName: run, config: config)
        }
        print(SubmitCommand.describe(summary, json: json))
    }

    static func describe(_ summary: SubmissionSummary, json: Bool) -> String {
        if json {
            return JSONOutput.render([
                "run": .string(summary.run), "records": .number(Double(summary.recordsRead)),
                "tasks_created": .number(Double(summary.tasksCreated)), "duplicates": .number(Double(summary.duplicates)),
                "bad_records": .number(Double(summary.badRecords)), "shards": .number(Double(summary.shardsCreated)),
                "seconds": .number(summary.seconds),
            ])
        }
        return "run \(summary.run): \(summary.recordsRead) records read, \(summary.tasksCreated) tasks created, "
            + "\(summary.duplicates) duplicates, \(summary.badRecords) bad records (see ingest_errors), "
            + "\(summary.shardsCreated) shards, \(String(format: "%.1f", summary.seconds)) s"
    }
}
