/// One thing a corpus reader yields: a usable record or a located error.
public enum CorpusItem: Sendable, Hashable {
    case record(InstructionRecord)
    case error(CorpusError)
}

/// Decodes a corpus from byte chunks, for any format, in constant memory.
///
/// Pure: the caller brings the bytes (from a file, a pipe, a test's string) and receives
/// records and errors in file order. Every bad record is one `CorpusError` with its line;
/// decoding always goes on with the next record.
public struct CorpusDecoder: Sendable {
    /// Records longer than this (bytes) are reported, not read: 1 MiB unless told otherwise.
    public static let defaultMaxRecordBytes = 1 << 20

    public let format: CorpusFormat
    public let file: String
    public let maxRecordBytes: Int
    private var splitter: any RecordSplitter

    public init(format: CorpusFormat, file: String, maxRecordBytes: Int = defaultMaxRecordBytes) {
        self.format = format
        self.file = file
        self.maxRecordBytes = maxRecordBytes
        splitter =
            format == .alpacaArray
            ? JSONArraySplitter(maxElementBytes: maxRecordBytes)
            : LineSplitter(maxLineBytes: maxRecordBytes)
    }

    public mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>, emit: (CorpusItem) throws -> Void) rethrows {
        let (format, file, limit) = (self.format, self.file, maxRecordBytes)
        try splitter.feed(chunk) { piece in try Self.decode(piece, format: format, file: file, limit: limit).map(emit) }
    }

    public mutating func finish(emit: (CorpusItem) throws -> Void) rethrows {
        let (format, file, limit) = (self.format, self.file, maxRecordBytes)
        try splitter.finish { piece in try Self.decode(piece, format: format, file: file, limit: limit).map(emit) }
    }

    /// Convenience for small, in-memory corpora.
    public static func decodeAll(
        _ bytes: [UInt8], format: CorpusFormat, file: String,
        maxRecordBytes: Int = defaultMaxRecordBytes
    ) -> [CorpusItem] {
        var decoder = CorpusDecoder(format: format, file: file, maxRecordBytes: maxRecordBytes)
        var items: [CorpusItem] = []
        bytes.withUnsafeBufferPointer { decoder.feed($0) { items.append($0) } }
        decoder.finish { items.append($0) }
        return items
    }

    /// Nil for blank lines, which are not records and not errors.
    static func decode(_ piece: RecordPiece, format: CorpusFormat, file: String, limit: Int) -> CorpusItem? {
        func failure(_ line: Int, _ reason: CorpusError.Reason) -> CorpusItem {
            .error(CorpusError(file: file, line: line, reason: reason))
        }
        switch piece {
        case .oversized(let line, let bytes):
            return failure(line, .tooLong(bytes: bytes, limit: limit))
        case .malformed(let line, let message):
            return failure(line, .brokenJSON(message))
        case .record(let bytes, let line):
            if bytes.contains(0) { return failure(line, .nulByte) }
            guard let text = String(validating: bytes, as: UTF8.self) else { return failure(line, .invalidUTF8) }
            if text.allSatisfy(\.isWhitespace) { return nil }
            if format == .text {
                return .record(InstructionRecord(instruction: text.trimmingWhitespace(), line: line))
            }
            let value: JSONValue
            do {
                value = try JSONValue.parse(text)
            } catch {
                return failure(line, .brokenJSON(error.description))
            }
            let record: InstructionRecord
            do {
                record = try RecordDecoder.decode(value, format: format, line: line)
            } catch {
                return failure(line, error)
            }
            // An escaped NUL (\u0000) is valid JSON but cannot be stored in PostgreSQL text.
            let fields = [record.instruction, record.input, record.referenceOutput ?? "", record.sourceID ?? ""]
            return fields.contains(where: { $0.utf8.contains(0) }) ? failure(line, .nulByte) : .record(record)
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var view = Substring(self)
        while view.first?.isWhitespace == true { view.removeFirst() }
        while view.last?.isWhitespace == true { view.removeLast() }
        return String(view)
    }
}
