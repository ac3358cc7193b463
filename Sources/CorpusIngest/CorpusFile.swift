import Foundation
import TreeInstructCore

/// A corpus on disk (or standard input, as "-"), read as a stream of records and errors.
///
/// Memory stays constant whatever the file's size: one chunk and one record at a time. The
/// format is detected from the first chunk unless named. Iterate it once; each iteration
/// opens the file afresh.
public struct CorpusFile: Sequence, Sendable {
    public let path: String
    public let maxRecordBytes: Int
    public let chunkBytes: Int
    private let requestedFormat: CorpusFormat?

    /// Opens nothing yet; `makeIterator()` does. Use `format(of:)` to learn what was detected.
    public init(path: String, format: CorpusFormat? = nil, maxRecordBytes: Int = CorpusDecoder.defaultMaxRecordBytes,
                chunkBytes: Int = 1 << 20) {
        self.path = path
        self.requestedFormat = format
        self.maxRecordBytes = maxRecordBytes
        self.chunkBytes = Swift.max(chunkBytes, 4096)
    }

    /// The named format, or the one the file's first bytes show. Throws a `CorpusError`
    /// (line 0) when the file cannot be opened.
    public func resolvedFormat() throws -> CorpusFormat {
        if let requestedFormat { return requestedFormat }
        guard path != "-" else { return .alpaca }
        if Self.looksLikePlainText(path) { return .text }
        let handle = try Self.open(path)
        defer { try? handle.close() }
        let head = try Self.read(handle, upTo: 1 << 16, path: path)
        return CorpusFormat.detect(head: head)
    }

    public func makeIterator() -> Iterator { Iterator(file: self) }

    /// Pulls chunks on demand and hands out decoded items in file order.
    public final class Iterator: IteratorProtocol {
        private let file: CorpusFile
        private var handle: FileHandle?
        private var decoder: CorpusDecoder?
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
            do {
                if decoder == nil {
                    let format = try file.resolvedFormat()
                    decoder = CorpusDecoder(format: format, file: file.path, maxRecordBytes: file.maxRecordBytes)
                    handle = file.path == "-" ? FileHandle.standardInput : try CorpusFile.open(file.path)
                }
                let chunk = try CorpusFile.read(handle!, upTo: file.chunkBytes, path: file.path)
                if chunk.isEmpty {
                    decoder!.finish { pending.append($0) }
                    close()
                } else {
                    chunk.withUnsafeBufferPointer { bytes in decoder!.feed(bytes) { pending.append($0) } }
                }
            } catch let error as CorpusError {
                pending.append(.error(error))
                close()
            } catch {
                pending.append(.error(CorpusError(file: file.path, line: 0, reason: .unreadable("\(error)"))))
                close()
            }
        }

        private func close() {
            done = true
            if file.path != "-" { try? handle?.close() }
            handle = nil
        }

        deinit { if file.path != "-" { try? handle?.close() } }
    }

    static func open(_ path: String) throws(CorpusError) -> FileHandle {
        do {
            return try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
            throw CorpusError(file: path, line: 0, reason: .unreadable(reason))
        }
    }

    static func read(_ handle: FileHandle, upTo count: Int, path: String) throws(CorpusError) -> [UInt8] {
        do {
            return try handle.read(upToCount: count).map { [UInt8]($0) } ?? []
        } catch {
            throw CorpusError(file: path, line: 0, reason: .unreadable("\(error)"))
        }
    }

    static func looksLikePlainText(_ path: String) -> Bool {
        [".txt", ".text", ".lst"].contains { path.lowercased().hasSuffix($0) }
    }
}
