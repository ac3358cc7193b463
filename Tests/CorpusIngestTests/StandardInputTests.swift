import CorpusIngest
import Foundation
import Testing
import TreeInstructCore

/// Standard input and pipes: detected like files, from a head that is kept and replayed,
/// because they can be read only once.
@Suite("Standard input")
struct StandardInputTests {
    @Test func aGzipPipeIsDetectedThenReadWhole() throws {
        let scratch = try ScratchDirectory()
        // Far more than the 64 KiB head, so reading goes on past the replayed part.
        let pipe = try FedPipe(feeding: try scratch.gzip(Corpus.alpaca(20_000)))
        let file = CorpusFile(descriptor: pipe.readEnd, chunkBytes: 4096)
        #expect(try file.resolvedCompression() == .gzip)
        #expect(try file.resolvedFormat() == .alpaca)
        let (records, errors) = Corpus.items(file)
        #expect(errors.isEmpty)
        #expect(records.count == 20_000)
        #expect(records.allSatisfy { $0.instruction == "Task \($0.line)" })
        // Read once; a second pass says so rather than returning nothing.
        let again = Corpus.items(file)
        #expect(again.records.isEmpty)
        #expect(again.errors.map(\.description) == ["-: cannot read the file: a pipe can be read only once, and it was read already"])
        #expect(try file.resolvedFormat() == .alpaca)
    }

    @Test func aPlainPipeIsDetectedWithoutAskingFirst() throws {
        let text = Array("Write a limerick.\nName a river.\n".utf8)
        let pipe = try FedPipe(feeding: text)
        let (records, errors) = Corpus.items(CorpusFile(descriptor: pipe.readEnd, name: "stdin"))
        #expect(records.map(\.instruction) == ["Write a limerick.", "Name a river."])
        #expect(errors.isEmpty)
    }

    @Test func shareGPTOnAPipeIsNotTakenForAlpaca() throws {
        let rows = #"{"items": [{"from": "human", "value": "Name a tree."}, {"from": "gpt", "value": "An oak."}]}"# + "\n"
        let pipe = try FedPipe(feeding: Array(rows.utf8))
        let file = CorpusFile(descriptor: pipe.readEnd)
        #expect(try file.resolvedFormat() == .sharegpt)
        #expect(Corpus.items(file).records.map(\.instruction) == ["Name a tree."])
    }

    @Test func binaryOnAPipeIsRefusedOnce() throws {
        let scratch = try ScratchDirectory()
        let pipe = try FedPipe(feeding: try #require(try scratch.compress(Corpus.alpaca(10), with: "xz", ["-c"]), "the xz command is needed"))
        let file = CorpusFile(descriptor: pipe.readEnd)
        let refusal = try #require(Corpus.refusal(file))
        #expect(refusal.reason.code == "unsupported_compression")
        #expect(Corpus.items(file).errors == [refusal])
    }

    @Test func aNamedPipeIsReplayedLikeStandardInput() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path + "/corpus.fifo"
        try #require(mkfifo(path, 0o600) == 0)
        let bytes = try scratch.gzip(Corpus.alpaca(5000))
        Thread.detachNewThread {
            signal(SIGPIPE, SIG_IGN)
            let descriptor = open(path, O_WRONLY)
            guard descriptor >= 0 else { return }
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written <= 0 { break }
                    offset += written
                }
            }
            close(descriptor)
        }
        let file = CorpusFile(path: path)
        #expect(try file.resolvedFormat() == .alpaca)
        let (records, errors) = Corpus.items(file)
        #expect(errors.isEmpty)
        #expect(records.count == 5000)
    }
}
