/// A record the reader could not use, located so the user can open the file and fix it.
/// Reading goes on with the next record; nothing already read is dropped.
public struct CorpusError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// 1-based line where the bad record starts.
    public var line: Int
    public var reason: Reason

    public init(file: String, line: Int, reason: Reason) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    public var description: String { "\(file):\(line): \(reason)" }

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
        /// The instruction is already so long that no rewrite can add the required words under
        /// the word cap; submitting it would only pay for certain rejections.
        case cannotGrow(words: Int, needed: Int, cap: Int)

        public var code: String {
            switch self {
            case .invalidUTF8: "invalid_utf8"
            case .nulByte: "nul_byte"
            case .tooLong: "too_long"
            case .brokenJSON: "broken_json"
            case .notAnObject: "not_an_object"
            case .missingField: "missing_field"
            case .wrongType: "wrong_type"
            case .emptyInstruction: "empty_instruction"
            case .noHumanTurn: "no_human_turn"
            case .unreadable: "unreadable"
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
            case .cannotGrow(let words, let needed, let cap):
                "the instruction has \(words) words; a rewrite needs at least \(needed), over the \(cap)-word cap (raise --max-words to include it)"
            }
        }
    }
}
