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
        // Most rows with an input also paste it at the end of the instruction (issue 18): the
        // method reads their own words, with the input apart.
        let pasted = corpus.records.filter { PastedInput.ownWords(of: $0.instruction, input: $0.input) != $0.instruction }
        #expect(pasted.count >= 390, "\(pasted.count) of 401 rows paste their input")
        for record in pasted {
            let own = PastedInput.ownWords(of: record.instruction, input: record.input)
            #expect(TextNormalization.wordCount(own) < TextNormalization.wordCount(record.instruction))
            // (Some keep the input once in their own words too: "Reverse this string: "Hello World".")
        }
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
