/// The corpus layouts users bring. Detected from the first bytes of a file, or named outright.
public enum CorpusFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// One JSON object per line: `instruction`, `input`, `output`.
    case alpaca
    /// The same objects in one JSON array, as Stanford Alpaca ships them.
    case alpacaArray = "alpaca-array"
    /// One conversation per line: `items` or `conversations` of `{from, value}` turns.
    case sharegpt
    /// Self-Instruct seed tasks: `instruction` and `instances` of `{input, output}`.
    case selfInstruct = "self-instruct"
    /// One instruction per line, no JSON.
    case text

    /// Guesses the format from the start of a file (`head`, any length; 64 KiB is plenty).
    /// The first byte that is not white space decides array or not; for JSON lines, the keys
    /// of the first line that parses decide; anything else is plain text.
    public static func detect(head: [UInt8]) -> CorpusFormat {
        var bytes = head[...]
        if bytes.starts(with: LineSplitter.byteOrderMark) { bytes = bytes.dropFirst(3) }
        guard let first = bytes.first(where: { !Self.isJSONWhitespace($0) }) else { return .text }
        if first == UInt8(ascii: "[") { return .alpacaArray }
        guard first == UInt8(ascii: "{") else { return .text }
        for line in bytes.split(separator: 0x0A).prefix(50) {
            guard let text = String(validating: line, as: UTF8.self),
                case .object(let fields)? = try? JSONValue.parse(text)
            else { continue }
            // Rows may carry several layouts at once (the paper's Alpaca-GPT4 rows also have
            // ShareGPT `items`); an explicit `instruction` field is the most direct, so it wins.
            if fields["instances"] != nil { return .selfInstruct }
            if fields["instruction"] != nil { return .alpaca }
            if fields["items"] != nil || fields["conversations"] != nil { return .sharegpt }
            return .alpaca
        }
        return .alpaca
    }

    static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
