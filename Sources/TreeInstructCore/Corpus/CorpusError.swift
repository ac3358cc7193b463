/// A record the reader could not use, located so the user can open the file and fix it.
/// Reading goes on with the next record; nothing already read is dropped.
///
/// A problem with the whole file (missing, a directory, binary, an unsupported compression)
/// has no line: `line` is 0 and the description names only the file.
public struct CorpusError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// 1-based line where the bad record starts; 0 when the error is about the whole file.
    public var line: Int
    public var reason: Reason

    public init(file: String, line: Int, reason: Reason) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    /// An error about the whole file, with no line to point at.
    public init(file: String, reason: Reason) {
        self.init(file: file, line: 0, reason: reason)
    }

    public var isWholeFile: Bool { line == 0 }

    public var description: String { isWholeFile ? "\(file): \(reason)" : "\(file):\(line): \(reason)" }

    /// What was wrong. `code` is stable (stored in ingest_errors and grouped in SQL).
    public enum Reason: Error, Sendable, Hashable, CustomStringConvertible {
        case invalidUTF8
        case nulByte
        case tooLong(bytes: Int, limit: Int)
        case brokenJSON(String)
        case notAnObject(found: String)
        case missingField(String)
        case wrongType(field: String, expected: String, found: String)
        case emptyInstruction
        case noHumanTurn
        case unreadable(String)
        case noSuchFile
        case permissionDenied
        case isDirectory
        /// Compressed or archived in a way the reader does not undo (`what`: "xz-compressed",
        /// "a zip archive"), with what to do instead.
        case unsupportedCompression(what: String, hint: String)
        /// zstd-compressed, but libzstd.so.1 is not on this machine.
        case zstdUnavailable
        /// Not text at all; `what` names the kind when recognised ("a Parquet file"), with a hint.
        case binary(what: String?, hint: String?)
        /// Text, but mostly not UTF-8 (a legacy encoding): the whole file, not a line.
        case notUTF8
        /// The gzip or zstd stream is damaged at compressed byte `offset`; reading stops there.
        /// Damage often shows only at a member's checksum: `suspectLines` were read from the
        /// unverified part before it showed, and may hold garbled text.
        case corruptStream(compression: String, offset: Int, detail: String, suspectLines: ClosedRange<Int>? = nil)
        /// The gzip or zstd stream ends before its end marker (a cut download or copy): the
        /// line it ends in is not read.
        case truncatedStream(compression: String, offset: Int)
        /// The instruction is already so long that no rewrite can add the required words under
        /// the word cap; submitting it would only pay for certain rejections.
        case cannotGrow(words: Int, needed: Int, cap: Int)

        public var code: String {
            switch self {
            case .invalidUTF8, .notUTF8: "invalid_utf8"
            case .nulByte: "nul_byte"
            case .tooLong: "too_long"
            case .brokenJSON: "broken_json"
            case .notAnObject: "not_an_object"
            case .missingField: "missing_field"
            case .wrongType: "wrong_type"
            case .emptyInstruction: "empty_instruction"
            case .noHumanTurn: "no_human_turn"
            case .unreadable, .noSuchFile, .permissionDenied, .isDirectory: "unreadable"
            case .unsupportedCompression, .zstdUnavailable: "unsupported_compression"
            case .binary: "binary"
            case .corruptStream: "corrupt_stream"
            case .truncatedStream: "truncated_stream"
            case .cannotGrow: "cannot_grow"
            }
        }

        public var description: String {
            switch self {
            case .invalidUTF8: "invalid UTF-8"
            case .nulByte: "contains a NUL byte"
            case .tooLong(let bytes, let limit): "record is \(bytes) bytes, over the \(limit)-byte limit"
            case .brokenJSON(let message): "broken JSON: \(message)"
            case .notAnObject(let found): "expected a JSON object, found \(found)"
            case .missingField(let field): "missing field \"\(field)\""
            case .wrongType(let field, let expected, let found): "field \"\(field)\" is \(found), expected \(expected)"
            case .emptyInstruction: "the instruction is empty"
            case .noHumanTurn: "the conversation has no human turn"
            case .unreadable(let message): "cannot read the file: \(message)"
            case .noSuchFile: "no such file"
            case .permissionDenied: "permission denied"
            case .isDirectory: "is a directory, not a corpus file"
            case .unsupportedCompression(let what, let hint): "\(what), which cannot be read as a corpus: \(hint)"
            case .zstdUnavailable: "zstd-compressed, but libzstd.so.1 cannot be loaded (apt-get install libzstd1), or decompress it first"
            case .notUTF8: "not UTF-8 text (Latin-1 or another legacy encoding?): convert it to UTF-8, e.g. iconv -f LATIN1 -t UTF-8"
            case .binary(let what, let hint):
                "not a text corpus (\(what ?? "binary data"))" + (hint.map { ": \($0)" } ?? "")
            case .corruptStream(let compression, let offset, let detail, let suspect):
                "\(compression) stream is corrupt at byte \(offset) (\(detail)); reading stopped here"
                    + (suspect.map { lines in
                        let which = lines.count == 1 ? "line \(lines.lowerBound)" : "lines \(lines.lowerBound) to \(lines.upperBound)"
                        return "; \(which), read before the damage showed, may hold damaged text"
                    } ?? "")
            case .truncatedStream(let compression, let offset):
                "\(compression) stream ends early, at byte \(offset) (the file is cut short); the line it ends in is not read"
            case .cannotGrow(let words, let needed, let cap):
                "the instruction has \(words) words; its last rewrite would need at least \(needed), over the \(cap)-word cap "
                    + "(raise --max-words, or lower --rounds or --min-added-words, to include it)"
            }
        }
    }
}
