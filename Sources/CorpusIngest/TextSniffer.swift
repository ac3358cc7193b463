import TreeInstructCore

/// Tells a text corpus from binary data by its first 8 KiB (after decompression).
///
/// A threshold, not a single byte: a text corpus with one bad line (a NUL, a stray Latin-1
/// byte) is still read, and that line reported by the decoder. Only when bytes that no text
/// holds are common is the whole file refused.
enum TextSniffer {
    static let sampleBytes = 8 << 10

    /// Why `head` is not a text corpus, or nil when it is one.
    static func refusal(_ head: [UInt8]) -> CorpusError.Reason? {
        if head.starts(with: [0xFF, 0xFE, 0x00, 0x00]) || head.starts(with: [0x00, 0x00, 0xFE, 0xFF]) {
            return .binary(what: "UTF-32 text", hint: "convert it to UTF-8, e.g. iconv -f UTF-32 -t UTF-8")
        }
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) {
            return .binary(what: "UTF-16 text", hint: "convert it to UTF-8, e.g. iconv -f UTF-16 -t UTF-8")
        }
        let sample = head.prefix(sampleBytes)
        guard !sample.isEmpty else { return nil }
        var controls = 0
        for byte in sample where byte < 0x20 && !isTextControl(byte) { controls += 1 }
        let invalid = invalidUTF8Bytes(sample)
        // Over 10% of the sample no text would hold.
        guard (controls + invalid) * 10 > sample.count else { return nil }
        // Control bytes (NULs above all) mean binary; without them, text in another encoding.
        if controls * 50 > sample.count { return .binary(what: nil, hint: nil) }
        return .notUTF8
    }

    /// Tab, line feed, form feed, carriage return: the control bytes text holds.
    static func isTextControl(_ byte: UInt8) -> Bool {
        byte == 0x09 || byte == 0x0A || byte == 0x0C || byte == 0x0D
    }

    /// How many bytes of `sample` are not part of a valid UTF-8 sequence; a character cut at
    /// the sample's end counts as valid.
    static func invalidUTF8Bytes(_ sample: ArraySlice<UInt8>) -> Int {
        var parser = Unicode.UTF8.ForwardParser()
        var bytes = sample.makeIterator()
        var invalid = 0, position = 0
        while true {
            switch parser.parseScalar(from: &bytes) {
            case .valid(let scalar):
                position += scalar.count
            case .error(let length):
                if position + length < sample.count { invalid += length }
                position += length
            case .emptyInput:
                return invalid
            }
        }
    }
}
