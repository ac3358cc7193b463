/// Splits bytes into lines for JSON Lines and plain text corpora, in constant memory.
///
/// Accepts LF and CRLF endings, a UTF-8 byte order mark at the start of the file, and a last
/// line with no newline. A line over `maxLineBytes` is skipped as it streams past and reported
/// as `.oversized`, so a 2 GB line costs no more memory than a short one.
public struct LineSplitter: RecordSplitter {
    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    public let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var skippedBytes: Int?
    private var lineNumber = 1

    public init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    public mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>, emit: (RecordPiece) throws -> Void) rethrows {
        var rest = chunk[...]
        while !rest.isEmpty {
            guard let newline = rest.firstIndex(of: 0x0A) else {
                append(rest)
                return
            }
            append(rest[..<newline])
            try endLine(emit: emit)
            rest = rest[(newline + 1)...]
        }
    }

    public mutating func finish(emit: (RecordPiece) throws -> Void) rethrows {
        if !buffer.isEmpty || skippedBytes != nil {
            try endLine(emit: emit)
        }
    }

    private mutating func append(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) {
        if let skipped = skippedBytes {
            skippedBytes = skipped + bytes.count
        } else if buffer.count + bytes.count > maxLineBytes + 1 {  // +1 leaves room for a CR
            skippedBytes = buffer.count + bytes.count
            buffer.removeAll(keepingCapacity: false)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    private mutating func endLine(emit: (RecordPiece) throws -> Void) rethrows {
        defer {
            lineNumber += 1
            skippedBytes = nil
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 16)
        }
        if let skipped = skippedBytes {
            try emit(.oversized(line: lineNumber, bytes: skipped))
            return
        }
        if buffer.last == 0x0D { buffer.removeLast() }
        // A BOM opens the file, or a line where files were joined with `cat`.
        if buffer.starts(with: Self.byteOrderMark) { buffer.removeFirst(3) }
        if buffer.count > maxLineBytes {
            try emit(.oversized(line: lineNumber, bytes: buffer.count))
        } else {
            try emit(.record(buffer, line: lineNumber))
        }
    }
}
