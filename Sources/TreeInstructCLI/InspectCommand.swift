import ArgumentParser
import CorpusIngest
import Foundation
import TreeInstructCore

/// Reads a corpus the way `submit` will and reports what it found, without touching a database:
/// the same bad lines, and the same `cannot_grow` rows for the same method options.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Read a corpus and report its records and every line submit would skip, without submitting it."
    )

    @OptionGroup var method: MethodOptions

    @Option(name: .long, help: "Corpus file (JSONL, JSON array or text, plain, gzip or zstd; '-' for standard input).")
    var corpus: String

    @Option(name: .long, help: "Corpus format: \(CorpusFormat.allCases.map(\.rawValue).joined(separator: ", ")). Detected when omitted.")
    var format: CorpusFormat?

    @Option(name: .long, parsing: .unconditional, help: "Longest record accepted, in bytes (default 1 MiB).")
    var maxRecordBytes: Int = CorpusDecoder.defaultMaxRecordBytes

    @Option(name: .long, parsing: .unconditional, help: "How many skipped lines to print at most (default 20).")
    var showErrors: Int = 20

    func run() throws {
        let config = try method.config()
        try Check.range("--show-errors", showErrors, 0...Int.max)
        let file = try CorpusOptions.open(corpus, format: format, maxRecordBytes: maxRecordBytes)
        let report = try CorpusReport(file: file, config: config)
        print(
            "\(corpus): format \(report.format.rawValue), \(report.records) records, \(report.distinct) distinct, "
                + "\(report.errors.count) lines submit would skip (\(report.cannotGrow) cannot grow), \(report.words) instruction words")
        for error in report.errors.prefix(showErrors) {
            print("  \(error)")
        }
        if report.errors.count > showErrors {
            print("  … and \(report.errors.count - showErrors) more")
        }
    }
}

extension CorpusFormat: ExpressibleByArgument {}

/// What one pass over a corpus found, counted as `submit` counts it.
struct CorpusReport {
    var format: CorpusFormat
    var records = 0
    var distinct = 0
    var words = 0
    var cannotGrow = 0
    var errors: [CorpusError] = []

    init(file: CorpusFile, config: RunConfig) throws {
        format = try file.resolvedFormat()
        var seen = Set<ContentHash>()
        for item in file {
            switch item {
            case .record(let record):
                records += 1
                words += TextNormalization.wordCount(record.instruction)
                if let error = config.cannotGrow(record, file: file.path) {
                    cannotGrow += 1
                    errors.append(error)
                } else if seen.insert(record.contentHash).inserted {
                    distinct += 1
                }
            case .error(let error):
                errors.append(error)
            }
        }
    }
}
