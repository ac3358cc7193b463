import ArgumentParser
import CorpusIngest
import Foundation
import TreeInstructCore

/// Reads a corpus the way `submit` will and reports what it found, without touching a database.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Read a corpus and report its records and every bad line, without submitting it."
    )

    @Option(name: .long, help: "Corpus file (JSONL, JSON array or text; '-' for standard input).")
    var corpus: String

    @Option(name: .long, help: "Corpus format: \(CorpusFormat.allCases.map(\.rawValue).joined(separator: ", ")). Detected when omitted.")
    var format: CorpusFormat?

    @Option(name: .long, help: "Longest record accepted, in bytes.")
    var maxRecordBytes: Int = CorpusDecoder.defaultMaxRecordBytes

    @Option(name: .long, help: "How many bad lines to print at most.")
    var showErrors: Int = 20

    func run() throws {
        let file = CorpusFile(path: corpus, format: format, maxRecordBytes: maxRecordBytes)
        let report = try CorpusReport(file: file)
        print("\(corpus): format \(report.format.rawValue), \(report.records) records, \(report.distinct) distinct, \(report.errors.count) bad lines, \(report.words) instruction words")
        for error in report.errors.prefix(showErrors) {
            print("  \(error)")
        }
        if report.errors.count > showErrors {
            print("  … and \(report.errors.count - showErrors) more")
        }
    }
}

extension CorpusFormat: ExpressibleByArgument {}

/// What one pass over a corpus found.
struct CorpusReport {
    var format: CorpusFormat
    var records = 0
    var distinct = 0
    var words = 0
    var errors: [CorpusError] = []

    init(file: CorpusFile) throws {
        format = try file.resolvedFormat()
        var seen = Set<ContentHash>()
        for item in file {
            switch item {
            case .record(let record):
                records += 1
                words += TextNormalization.wordCount(record.instruction)
                if seen.insert(record.contentHash).inserted { distinct += 1 }
            case .error(let error):
                errors.append(error)
            }
        }
    }
}
