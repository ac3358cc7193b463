import CorpusIngest
import Foundation
import Testing
import TreeInstructCore

@Suite("Corpus files")
struct CorpusFileTests {
    static func temporaryFile(_ bytes: [UInt8], suffix: String = ".jsonl") throws -> String {
        let path = NSTemporaryDirectory() + "treeinstruct-\(UUID().uuidString)" + suffix
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func items(_ file: CorpusFile) -> (records: [InstructionRecord], errors: [CorpusError]) {
        var records: [InstructionRecord] = [], errors: [CorpusError] = []
        for item in file {
            if case .record(let record) = item { records.append(record) }
            if case .error(let error) = item { errors.append(error) }
        }
        return (records, errors)
    }

    @Test func goodRecordsSurviveBadOnesAcrossChunks() throws {
        var bytes: [UInt8] = []
        for index in 1...2000 {
            let line: [UInt8] =
                switch index % 5 {
                case 0: Array(#"{"instruction": "broken"#.utf8)
                case 3: Array(#"{"instruction": "bad "#.utf8) + [0xFF] + Array(#""}"#.utf8)
                default: Array(#"{"instruction": "Task \#(index)", "input": "ctx \#(index)"}"#.utf8)
                }
            bytes += line + [0x0A]
        }
        let path = try Self.temporaryFile(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (records, errors) = Self.items(CorpusFile(path: path, chunkBytes: 4096))
        #expect(records.count == 1200)
        #expect(errors.count == 800)
        #expect(errors.allSatisfy { $0.file == path && ($0.line % 5 == 0 || $0.line % 5 == 3) })
        #expect(records.allSatisfy { $0.instruction == "Task \($0.line)" && $0.input == "ctx \($0.line)" })
    }

    @Test func detectsAJSONArrayFileAndPlainText() throws {
        let array = try Self.temporaryFile(Array(#"[{"instruction": "One"}, {"instruction": "Two", "input": "2"}]"#.utf8), suffix: ".json")
        let text = try Self.temporaryFile(Array("Write a limerick.\nName a river.\n".utf8), suffix: ".txt")
        defer { try? FileManager.default.removeItem(atPath: array); try? FileManager.default.removeItem(atPath: text) }
        #expect(try CorpusFile(path: array).resolvedFormat() == .alpacaArray)
        #expect(Self.items(CorpusFile(path: array)).records.map(\.instruction) == ["One", "Two"])
        #expect(try CorpusFile(path: text).resolvedFormat() == .text)
        #expect(Self.items(CorpusFile(path: text)).records.map(\.instruction) == ["Write a limerick.", "Name a river."])
    }

    @Test func missingFileIsOneClearError() {
        let file = CorpusFile(path: "/nonexistent/corpus.jsonl")
        #expect(throws: CorpusError.self) { try file.resolvedFormat() }
        let (records, errors) = Self.items(file)
        #expect(records.isEmpty)
        #expect(errors.count == 1)
        #expect(errors.first?.description == "/nonexistent/corpus.jsonl: no such file")
    }
}
