import CorpusIngest
import Foundation
import Testing
import TestCorpora
import TreeInstructCore

/// The real corpora in Examples/corpora, read as users' files are read.
@Suite("Shared corpora")
struct SharedCorporaTests {
    static let directory = TestCorpora.directory

    static func read(_ name: String) throws -> (format: CorpusFormat, records: [InstructionRecord], errors: [CorpusError]) {
        let path = directory + "/" + name
        try #require(FileManager.default.fileExists(atPath: path), "corpus \(path) is missing: set TREEINSTRUCT_CORPORA")
        let file = CorpusFile(path: path)
        var records: [InstructionRecord] = [], errors: [CorpusError] = []
        for item in file {
            switch item {
            case .record(let record): records.append(record)
            case .error(let error): errors.append(error)
            }
        }
        return (try file.resolvedFormat(), records, errors)
    }

    @Test func alpacaGPT4OneThousand() throws {
        let corpus = try Self.read("alpaca-gpt4-1k.jsonl")
        #expect(corpus.format == .alpaca)
        #expect(corpus.records.count == 1000)
        #expect(corpus.errors.isEmpty)
        #expect(corpus.records.filter { !$0.input.isEmpty }.count == 401)
        #expect(Set(corpus.records.map(\.contentHash)).count == 1000)
        // The corpora README: instruction plus input average 17.3 words.
        let words = corpus.records.map { TextNormalization.wordCount($0.instruction + " " + $0.input) }
        let average = Double(words.reduce(0, +)) / Double(words.count)
        #expect(abs(average - 17.3) < 1.0, "average \(average)")
    }

    @Test func shareGPTFourThousand() throws {
        let corpus = try Self.read("alpaca-gpt4-4k.sharegpt.jsonl")
        #expect(corpus.format == .sharegpt)
        #expect(corpus.records.count == 4000)
        #expect(corpus.errors.isEmpty)
        #expect(corpus.records.allSatisfy { $0.referenceOutput?.isEmpty == false })
    }

    @Test func selfInstructSeeds() throws {
        let corpus = try Self.read("self-instruct-seed-175.jsonl")
        #expect(corpus.format == .selfInstruct)
        #expect(corpus.records.count == 175)
        #expect(corpus.errors.isEmpty)
        #expect(corpus.records.first?.sourceID == "seed_task_0")
    }
}
