import CorpusIngest
import Foundation
import Testing
import TreeInstructCore

/// gzip and zstd corpora, found by their first bytes and read as streams.
@Suite("Compressed corpora")
struct CompressedCorpusTests {
    @Test func gzipIsRecognisedByItsBytesNotItsName() throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write(try scratch.gzip(Corpus.alpaca(3)), to: "corpus.data")
        let file = CorpusFile(path: path)
        #expect(try file.resolvedCompression() == .gzip)
        #expect(try file.resolvedFormat() == .alpaca)
        let (records, errors) = Corpus.items(file)
        #expect(records.map(\.instruction) == ["Task 1", "Task 2", "Task 3"])
        #expect(records.map(\.line) == [1, 2, 3])
        #expect(errors.isEmpty)
    }

    @Test func multiMemberGzipReadsEveryMember() throws {
        let scratch = try ScratchDirectory()
        // As `cat a.gz b.gz c.gz` or pigz make them; small chunks so members straddle reads.
        let members = try [
            scratch.gzip(Corpus.alpaca(700, first: 1)), scratch.gzip(Corpus.alpaca(2, first: 701)),
            scratch.gzip(Corpus.alpaca(300, first: 703)),
        ]
        let path = try scratch.write(members.flatMap { $0 }, to: "corpus.jsonl.gz")
        let (records, errors) = Corpus.items(CorpusFile(path: path, chunkBytes: 4096))
        #expect(errors.isEmpty)
        #expect(records.count == 1002)
        #expect(records.allSatisfy { $0.instruction == "Task \($0.line)" })
    }

    @Test(.enabled(if: Tools.hasZstd, "neither the zstd command nor libzstd.so.1 is installed"))
    func zstdSingleAndConcatenatedFrames() throws {
        let scratch = try ScratchDirectory()
        let first = try #require(try scratch.zstd(Corpus.alpaca(1500, first: 1)))
        let second = try #require(try scratch.zstd(Corpus.alpaca(10, first: 1501)))
        let path = try scratch.write(first + second, to: "corpus.zst")
        let file = CorpusFile(path: path, chunkBytes: 4096)
        #expect(try file.resolvedCompression() == .zstd)
        let (records, errors) = Corpus.items(file)
        #expect(errors.isEmpty)
        #expect(records.count == 1510)
        #expect(records.allSatisfy { $0.instruction == "Task \($0.line)" })
    }

    @Test func truncatedGzipKeepsWhatCameBeforeAndReportsTheCutLine() throws {
        let scratch = try ScratchDirectory()
        let whole = try scratch.gzip(Corpus.alpaca(4000))
        let path = try scratch.write(Array(whole.prefix(whole.count / 2)), to: "cut.jsonl.gz")
        let file = CorpusFile(path: path, chunkBytes: 4096)
        #expect(try file.resolvedFormat() == .alpaca)
        let (records, errors) = Corpus.items(file)
        let error = try #require(errors.first)
        #expect(errors.count == 1)
        #expect(error.reason.code == "truncated_stream")
        #expect(error.description.hasPrefix("\(path):\(records.count + 1): gzip stream ends early, at byte \(whole.count / 2) "))
        // Every line before the cut, in order, and nothing of the line it cut.
        #expect(records.count > 500 && records.count < 4000)
        #expect(records.map(\.line) == Array(1...records.count))
        #expect(records.allSatisfy { $0.instruction == "Task \($0.line)" && $0.input.hasPrefix("seed ") })
    }

    @Test(.enabled(if: Tools.hasZstd, "neither the zstd command nor libzstd.so.1 is installed"))
    func truncatedZstdIsReportedToo() throws {
        let scratch = try ScratchDirectory()
        let whole = try #require(try scratch.zstd(Corpus.alpaca(3000)))
        let path = try scratch.write(Array(whole.dropLast(7)), to: "cut.zst")
        let (records, errors) = Corpus.items(CorpusFile(path: path))
        #expect(errors.map(\.reason.code) == ["truncated_stream"])
        #expect(errors.first?.line == records.count + 1)
        // zstd hands out a block only once it is whole: the cut loses the last block's lines.
        #expect(records.count < 3000)
        #expect(records.map(\.line) == Array(1...records.count))
    }

    @Test func corruptGzipIsOneLocatedErrorNamingTheLinesItPutsInDoubt() throws {
        let scratch = try ScratchDirectory()
        // Two members; the second is damaged in its middle.
        let sound = try scratch.gzip(Corpus.alpaca(1000))
        var damaged = try scratch.gzip(Corpus.alpaca(3000, first: 1001))
        let middle = damaged.count / 2
        for index in middle..<(middle + 64) { damaged[index] ^= 0x5A }
        let path = try scratch.write(sound + damaged, to: "damaged.gz")
        let (records, errors) = Corpus.items(CorpusFile(path: path, chunkBytes: 4096))
        // zlib may inflate garbage for a while before it sees the damage, often only at the
        // member's checksum: those lines may be bad records or even wrong ones, and the error
        // names them. The first member's lines, checked by its checksum, are exact.
        let error = try #require(errors.last)
        #expect(errors.filter { $0.reason.code == "corrupt_stream" }.count == 1)
        #expect(error.reason.code == "corrupt_stream")
        #expect(error.line > (records.last?.line ?? 0))
        #expect(error.description.hasPrefix("\(path):\(error.line): gzip stream is corrupt at byte "))
        #expect(
            error.description.hasSuffix("reading stopped here; lines 1001 to \(error.line - 1), read before the damage showed, may hold damaged text")
        )
        #expect(records.prefix(1000).map(\.line) == Array(1...1000))
        #expect(records.prefix(1000).allSatisfy { $0.instruction == "Task \($0.line)" })
    }

    @Test func aDamagedHeaderIsRefusedBeforeReading() throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write([0x1F, 0x8B, 0x08, 0x00, 0x00], to: "stub.gz")
        let refusal = try #require(Corpus.refusal(CorpusFile(path: path)))
        #expect(refusal.description == "\(path): gzip stream ends early, at byte 5 (the file is cut short); the line it ends in is not read")
        let broken = try scratch.write([0x1F, 0x8B, 0x63] + Array(repeating: 0x41, count: 40), to: "broken.gz")
        let corrupt = try #require(Corpus.refusal(CorpusFile(path: broken)))
        #expect(corrupt.reason.code == "corrupt_stream")
        #expect(corrupt.description.hasPrefix("\(broken): gzip stream is corrupt at byte "))
        #expect(Corpus.items(CorpusFile(path: broken)).errors == [corrupt])
    }

    @Test func compressedJSONLinesAreDetectedFromTheDecompressedHead() throws {
        let scratch = try ScratchDirectory()
        let shareGPT =
            #"{"id": "c1", "conversations": [{"from": "human", "value": "Name a bird."}, {"from": "gpt", "value": "A robin."}]}"#
            + "\n" + #"{"id": "c2", "conversations": [{"from": "human", "value": "Name a fish."}, {"from": "gpt", "value": "A carp."}]}"# + "\n"
        let conversations = try scratch.write(try scratch.gzip(Array(shareGPT.utf8)), to: "chats.jsonl.gz")
        let file = CorpusFile(path: conversations)
        #expect(try file.resolvedFormat() == .sharegpt)
        #expect(Corpus.items(file).records.map(\.instruction) == ["Name a bird.", "Name a fish."])
        #expect(Corpus.items(file).records.map(\.referenceOutput) == ["A robin.", "A carp."])

        let alpaca = try scratch.write(try scratch.gzip(Corpus.alpaca(2)), to: "rows.jsonl.gz")
        #expect(try CorpusFile(path: alpaca).resolvedFormat() == .alpaca)

        let text = try scratch.write(try scratch.gzip(Array("Write a limerick.\n{not json}\n".utf8)), to: "prompts.txt.gz")
        #expect(try CorpusFile(path: text).resolvedFormat() == .text)
        #expect(Corpus.items(CorpusFile(path: text)).records.map(\.instruction) == ["Write a limerick.", "{not json}"])
    }

    @Test func anEmptyGzipIsAnEmptyCorpus() throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write(try scratch.gzip([]), to: "empty.gz")
        let (records, errors) = Corpus.items(CorpusFile(path: path))
        #expect(records.isEmpty && errors.isEmpty)
    }

    @Test func fiftyThousandGzipLinesAreCountedExactly() throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write(try scratch.gzip(Corpus.alpaca(50_000)), to: "large.jsonl.gz")
        var count = 0, lastLine = 0, errors = 0
        for item in CorpusFile(path: path) {
            switch item {
            case .record(let record):
                count += 1
                if record.line == lastLine + 1 { lastLine = record.line }
            case .error:
                errors += 1
            }
        }
        #expect(count == 50_000)
        #expect(lastLine == 50_000)
        #expect(errors == 0)
    }
}
