@testable import CorpusIngest
import Foundation
import Testing
import TreeInstructCore

/// Files that are not corpora are refused in one line, before anything is read from them.
@Suite("Refused corpora")
struct RefusedCorpusTests {
    /// `resolvedFormat()` throws `expected`, and iterating yields it as the only item.
    static func expectRefused(
        _ path: String, _ expected: String, code: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let file = CorpusFile(path: path)
        let refusal = try #require(Corpus.refusal(file), sourceLocation: sourceLocation)
        #expect(refusal.description == expected, sourceLocation: sourceLocation)
        #expect(refusal.reason.code == code, sourceLocation: sourceLocation)
        #expect(refusal.isWholeFile && !refusal.description.contains("\n"), sourceLocation: sourceLocation)
        let (records, errors) = Corpus.items(file)
        #expect(records.isEmpty && errors == [refusal], sourceLocation: sourceLocation)
    }

    static let recompress = "decompress it, or recompress with gzip or zstd"

    @Test func otherCompressionsAreNamed() throws {
        let scratch = try ScratchDirectory()
        let corpus = Corpus.alpaca(50)
        for (tool, arguments, what) in [("xz", ["-c"], "xz-compressed"), ("bzip2", ["-c"], "bzip2-compressed")] {
            let bytes = try #require(try scratch.compress(corpus, with: tool, arguments), "the \(tool) command is needed")
            // Named as if it were plain JSON lines: the bytes decide.
            let path = try scratch.write(bytes, to: "\(tool).jsonl")
            try Self.expectRefused(
                path, "\(path): \(what), which cannot be read as a corpus: \(Self.recompress)",
                code: "unsupported_compression")
        }
    }

    @Test func archivesAreNamed() throws {
        let scratch = try ScratchDirectory()
        let inside = try scratch.write(Corpus.alpaca(20), to: "corpus.jsonl")
        let zip = scratch.path + "/corpus.zip"
        if let status = try scratch.run("zip", ["-q", "-j", zip, inside]) {
            #expect(status == 0)
        } else {  // a stored entry's header is enough for the signature
            try scratch.write([0x50, 0x4B, 0x03, 0x04, 0x0A, 0x00] + Array(repeating: 0, count: 40), to: "corpus.zip")
        }
        let hint = ContentSignature.archiveHint
        try Self.expectRefused(zip, "\(zip): a zip archive, which cannot be read as a corpus: \(hint)", code: "unsupported_compression")

        let tarPath = scratch.path + "/corpus.tar"
        #expect(try #require(try scratch.run("tar", ["-c", "-f", tarPath, "-C", scratch.path, "corpus.jsonl"]), "the tar command is needed") == 0)
        let tar = [UInt8](try Data(contentsOf: URL(fileURLWithPath: tarPath)))
        try Self.expectRefused(tarPath, "\(tarPath): a tar archive, which cannot be read as a corpus: \(hint)", code: "unsupported_compression")
        let tarGz = try scratch.write(try scratch.gzip(tar), to: "corpus.tgz")
        try Self.expectRefused(
            tarGz, "\(tarGz): a tar archive (gzip-compressed), which cannot be read as a corpus: \(hint)",
            code: "unsupported_compression")
    }

    @Test func binaryFormatsAreNamed() throws {
        let scratch = try ScratchDirectory()
        let parquet = try scratch.write(Array("PAR1".utf8) + [0x15, 0x00, 0x15, 0x9C, 0x01] + Array(repeating: 7, count: 100), to: "rows.jsonl")
        try Self.expectRefused(parquet, "\(parquet): not a text corpus (a Parquet file): convert it to JSONL", code: "binary")
        let sqlite = try scratch.write(Array("SQLite format 3\0".utf8) + Array(repeating: 0, count: 100), to: "corpus.db")
        try Self.expectRefused(sqlite, "\(sqlite): not a text corpus (an SQLite database): export its rows to JSONL", code: "binary")
        let pdf = try scratch.write(Array("%PDF-1.7\n%\u{E2}\u{E3}\n1 0 obj\n".utf8), to: "paper.txt")
        try Self.expectRefused(pdf, "\(pdf): not a text corpus (a PDF document): extract its text into a .txt or JSONL file", code: "binary")
    }

    @Test func randomBytesAreBinaryData() throws {
        let scratch = try ScratchDirectory()
        var generator = SystemRandomNumberGenerator()
        // Not starting with a known signature, whatever the draw.
        let bytes = Array("x".utf8) + (0..<20_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let path = try scratch.write(bytes, to: "corpus.jsonl")
        try Self.expectRefused(path, "\(path): not a text corpus (binary data)", code: "binary")
        let gzipped = try scratch.write(try scratch.gzip(bytes), to: "corpus.jsonl.gz")
        try Self.expectRefused(gzipped, "\(gzipped): not a text corpus (binary data)", code: "binary")
    }

    @Test func utf16IsNamed() throws {
        let scratch = try ScratchDirectory()
        let utf16: [UInt8] = [0xFF, 0xFE] + "Write a poem.\n".utf16.flatMap { unit -> [UInt8] in [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let path = try scratch.write(utf16, to: "poems.txt")
        try Self.expectRefused(path, "\(path): not a text corpus (UTF-16 text): convert it to UTF-8, e.g. iconv -f UTF-16 -t UTF-8", code: "binary")
    }

    @Test func aTextCorpusWithOneNULLineIsStillRead() throws {
        let scratch = try ScratchDirectory()
        let bytes =
            Array(#"{"instruction": "One"}"#.utf8) + [0x0A] + Array(#"{"instruction": "T"#.utf8) + [0x00]
            + Array(#"wo"}"#.utf8) + [0x0A] + Array(#"{"instruction": "Three"}"#.utf8) + [0x0A]
        let path = try scratch.write(bytes, to: "corpus.jsonl")
        #expect(try CorpusFile(path: path).resolvedFormat() == .alpaca)
        let (records, errors) = Corpus.items(CorpusFile(path: path))
        #expect(records.map(\.instruction) == ["One", "Three"])
        #expect(errors == [CorpusError(file: path, line: 2, reason: .nulByte)])
        // The same lines, compressed.
        let gzipped = try scratch.write(try scratch.gzip(bytes), to: "corpus.jsonl.gz")
        #expect(Corpus.items(CorpusFile(path: gzipped)).errors == [CorpusError(file: gzipped, line: 2, reason: .nulByte)])
    }

    @Test func aDirectoryIsNotACorpus() throws {
        let scratch = try ScratchDirectory()
        try Self.expectRefused(scratch.path, "\(scratch.path): is a directory, not a corpus file", code: "unreadable")
    }

    @Test func aMissingFileIsNamed() throws {
        try Self.expectRefused("/nonexistent/corpus.jsonl", "/nonexistent/corpus.jsonl: no such file", code: "unreadable")
        let scratch = try ScratchDirectory()
        let file = try scratch.write(Array("x\n".utf8), to: "plain")
        try Self.expectRefused(file + "/below", "\(file)/below: no such file", code: "unreadable")
    }

    @Test(.enabled(if: geteuid() != 0, "root reads every file"))
    func anUnreadableFileIsNamed() throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write(Corpus.alpaca(2), to: "secret.jsonl")
        #expect(chmod(path, 0) == 0)
        try Self.expectRefused(path, "\(path): permission denied", code: "unreadable")
    }

    /// Root reads every file, so the test above may be skipped: the mapping it relies on, alone.
    @Test func openFailuresBecomeOneLine() {
        #expect(CorpusError(file: "c.jsonl", reason: ByteInput.reason(errno: EACCES)).description == "c.jsonl: permission denied")
        #expect(CorpusError(file: "c.jsonl", reason: ByteInput.reason(errno: ENOENT)).description == "c.jsonl: no such file")
        #expect(CorpusError(file: "c.jsonl", reason: ByteInput.reason(errno: EIO)).description.hasPrefix("c.jsonl: cannot read the file: "))
    }

    @Test func zstdWithoutTheLibraryIsRefusedWithWhatToDo() {
        #expect(ZstdLibrary.load(["libzstd-absent.so.99"]) == nil)
        let refusal = CorpusError(file: "corpus.zst", reason: .zstdUnavailable)
        #expect(
            refusal.description
                == "corpus.zst: zstd-compressed, but libzstd.so.1 cannot be loaded (apt-get install libzstd1), or decompress it first")
        #expect(refusal.reason.code == "unsupported_compression")
    }
}
