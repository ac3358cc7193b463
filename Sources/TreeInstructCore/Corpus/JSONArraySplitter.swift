/// Splits a file holding one JSON array into its elements, streaming, in constant memory.
///
/// It tracks only strings and nesting, enough to find where each top-level element ends;
/// decoding the element is left to the record decoder, so a broken element is reported with
/// its line and the next one is still read.
public struct JSONArraySplitter: RecordSplitter {
    private enum Position { case beforeArray, inArray, afterArray }

    public let maxElementBytes: Int
    private var position = Position.beforeArray
    private var buffer: [UInt8] = []
    private var skippedBytes: Int?
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var line = 1
    private var elementLine = 1
    private var offset = 0
    private var complainedAfterArray = false

    public init(maxElementBytes: Int) {
        self.maxElementBytes = maxElementBytes
    }

    public mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>, emit: (RecordPiece) throws -> Void) rethrows {
        for byte in chunk {
            offset += 1
            try consume(byte, emit: emit)
            if byte == 0x0A { line += 1 }
        }
    }

    public mutating func finish(emit: (RecordPiece) throws -> Void) rethrows {
        switch position {
        case .beforeArray:
            try emit(.malformed(line: line, message: "the file holds no JSON array"))
        case .inArray:
            if hasElement { try endElement(emit: emit) }
            try emit(.malformed(line: line, message: "the JSON array is not closed (the file is cut short)"))
        case .afterArray:
            break
        }
    }

    private var hasElement: Bool { !buffer.isEmpty || skippedBytes != nil }

    private mutating func consume(_ byte: UInt8, emit: (RecordPiece) throws -> Void) rethrows {
        switch position {
        case .beforeArray:
            if byte == UInt8(ascii: "[") {
                position = .inArray
            } else if !CorpusFormat.isJSONWhitespace(byte), !(offset <= 3 && LineSplitter.byteOrderMark.contains(byte)) {
                position = .afterArray
                complainedAfterArray = true
                try emit(.malformed(line: line, message: "expected '[' to open the JSON array"))
            }
        case .afterArray:
            if !CorpusFormat.isJSONWhitespace(byte), !complainedAfterArray {
                complainedAfterArray = true
                try emit(.malformed(line: line, message: "unexpected text after the JSON array"))
            }
        case .inArray:
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                keep(byte)
                return
            }
            if depth == 0 {
                if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]") {
                    if hasElement {
                        try endElement(emit: emit)
                    } else if byte == UInt8(ascii: ",") {
                        try emit(.malformed(line: line, message: "empty element in the JSON array"))
                    }
                    if byte == UInt8(ascii: "]") { position = .afterArray }
                    return
                }
                if CorpusFormat.isJSONWhitespace(byte) {
                    if hasElement { keep(byte) }
                    return
                }
                if !hasElement { elementLine = line }
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth = max(0, depth - 1)
            default: break
            }
            keep(byte)
        }
    }

    private mutating func keep(_ byte: UInt8) {
        if let skipped = skippedBytes {
            skippedBytes = skipped + 1
        } else if buffer.count >= maxElementBytes {
            skippedBytes = buffer.count + 1
            buffer.removeAll(keepingCapacity: false)
        } else {
            buffer.append(byte)
        }
    }

    private mutating func endElement(emit: (RecordPiece) throws -> Void) rethrows {
        defer {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 16)
            skippedBytes = nil
            depth = 0
            inString = false
            escaped = false
        }
        if let skipped = skippedBytes {
            try emit(.oversized(line: elementLine, bytes: skipped))
        } else {
            try emit(.record(buffer, line: elementLine))
        }
    }
}
