import Foundation
import TreeInstructCore

/// A corpus on disk or on standard input ("-"), read as a stream of records and errors.
///
/// Memory stays constant whatever the file's size: one chunk and one record at a time. gzip
/// and zstd are recognised by their first bytes, whatever the name, and decompressed as the
/// file streams past; other compressions and binary files are refused in one line. The
/// format is detected from the (decompressed) head unless named.
///
/// A file is reopened for each iteration; standard input, a pipe or a FIFO can be read once,
/// and what `resolvedFormat()` peeked at is replayed to that one iteration.
public struct CorpusFile: Sequence, Sendable {
    /// The path given ("-" for standard input); errors and tasks name the corpus by it.
    public let path: String
    public let maxRecordBytes: Int
    public let chunkBytes: Int
    private let requestedFormat: CorpusFormat?
    private let descriptor: Int32?
    private let handoff = StreamHandoff()

    /// Opens nothing yet; `resolvedFormat()` checks the file, `makeIterator()` reads it.
    public init(
        path: String, format: CorpusFormat? = nil, maxRecordBytes: Int = CorpusDecoder.defaultMaxRecordBytes,
        chunkBytes: Int = 1 << 20
    ) {
        self.init(
            path: path, descriptor: path == "-" ? STDIN_FILENO : nil, format: format, maxRecordBytes: maxRecordBytes,
            chunkBytes: chunkBytes)
    }

    /// A corpus read from a descriptor opened elsewhere (a pipe), named `name` in errors. The
    /// descriptor is read once and never closed here.
    public init(
        descriptor: Int32, name: String = "-", format: CorpusFormat? = nil,
        maxRecordBytes: Int = CorpusDecoder.defaultMaxRecordBytes, chunkBytes: Int = 1 << 20
    ) {
        self.init(path: name, descriptor: descriptor, format: format, maxRecordBytes: maxRecordBytes, chunkBytes: chunkBytes)
    }

    private init(path: String, descriptor: Int32?, format: CorpusFormat?, maxRecordBytes: Int, chunkBytes: Int) {
        self.path = path
        self.descriptor = descriptor
        self.requestedFormat = format
        self.maxRecordBytes = maxRecordBytes
        // zlib counts its input in 32 bits: keep chunks far below that.
        self.chunkBytes = Swift.min(Swift.max(chunkBytes, 4096), 1 << 28)
    }

    /// The named format, or the one the (decompressed) head shows. Throws a whole-file
    /// `CorpusError` when the corpus cannot be used: missing, a directory, unreadable,
    /// binary, or compressed in a way not read here. Call it before touching a database.
    public func resolvedFormat() throws(CorpusError) -> CorpusFormat {
        try probe().format
    }

    /// gzip or zstd when the corpus is compressed; nil when it is plain. Throws as `resolvedFormat()`.
    public func resolvedCompression() throws(CorpusError) -> CorpusCompression? {
        try probe().compression
    }

    public func makeIterator() -> Iterator { Iterator(file: self) }

    /// Pulls chunks on demand and hands out decoded items in file order.
    public final class Iterator: IteratorProtocol {
        private let file: CorpusFile
        private var reader: CorpusReader?
        private var pending: [CorpusItem] = []
        private var nextPending = 0
        private var done = false

        init(file: CorpusFile) { self.file = file }

        public func next() -> CorpusItem? {
            while nextPending == pending.count {
                if done { return nil }
                pending.removeAll(keepingCapacity: true)
                nextPending = 0
                fill()
            }
            defer { nextPending += 1 }
            return pending[nextPending]
        }

        private func fill() {
            do throws(CorpusError) {
                if reader == nil { reader = try file.openReader() }
            } catch {
                pending.append(.error(error))
                done = true
                return
            }
            if !reader!.step(emit: { pending.append($0) }) {
                done = true
                reader = nil  // closes the file now, not when the iterator goes
            }
        }
    }

    private func probe() throws(CorpusError) -> CorpusProbe {
        try handoff.probe(open: open, judge: judge)
    }

    private func openReader() throws(CorpusError) -> CorpusReader {
        let alreadyRead = CorpusError(
            file: path,
            reason: .unreadable(
                (descriptor == STDIN_FILENO ? "standard input" : "a pipe") + " can be read only once, and it was read already"))
        let (input, probe) = try handoff.take(open: open, judge: judge, alreadyRead: alreadyRead)
        return try CorpusReader(input: input, probe: probe, name: path, maxRecordBytes: maxRecordBytes, chunkBytes: chunkBytes)
    }

    private func open() throws(CorpusError) -> ByteInput {
        if let descriptor { return ByteInput(descriptor: descriptor, name: path) }
        return try ByteInput.open(path: path)
    }

    private func judge(_ input: ByteInput) throws(CorpusError) -> CorpusProbe {
        try CorpusProbe(input, name: path, requestedFormat: requestedFormat)
    }
}
