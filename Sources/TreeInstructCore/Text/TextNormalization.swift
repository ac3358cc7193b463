/// The one place that decides when two pieces of text are "the same words".
///
/// Hashing, tree-label comparison and the validator's word checks all go through here, so a
/// label the validator accepts as kept is also the label the tree check accepts as kept.
public enum TextNormalization {
    /// Trims the ends and turns every run of white space into one space.
    public static func foldWhitespace(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        appendFoldedWhitespace(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `text` without white space (new lines included) at either end.
    public static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isWhitespace($0) }),
            let last = scalars.lastIndex(where: { !isWhitespace($0) })
        else { return "" }
        return String(scalars[first...last])
    }

    /// White-space folded and lower-cased: how tree labels are compared.
    public static func foldLabel(_ label: String) -> String {
        foldWhitespace(label).lowercased()
    }

    /// Lower-cased words: runs of letters and digits (an apostrophe or hyphen inside a word
    /// keeps it whole). Ideographic and kana characters count one word each, since those
    /// scripts put no spaces between words.
    public static func words(_ text: String) -> [String] {
        var collector = WordCollector()
        var text = text
        text.withUTF8 { utf8 in
            var index = 0
            while index < utf8.count {
                let (scalar, length) = decodeScalar(utf8, at: index)
                let start = index
                index += length
                if isSingleCharacterWord(scalar) {
                    collector.flush()
                    collector.words.append(String(scalar))
                } else if isWordScalar(scalar) {
                    if length == 1 {
                        let byte = utf8[start]
                        collector.current.append(byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte)
                    } else {
                        collector.append(utf8, start..<index)
                    }
                } else if (scalar == "'" || scalar == "’" || scalar == "-"), !collector.current.isEmpty, index < utf8.count,
                    isWordScalar(decodeScalar(utf8, at: index).scalar)
                {
                    collector.append(utf8, start..<index)
                } else {
                    collector.flush()
                }
            }
        }
        collector.flush()
        return collector.words
    }

    /// The words found so far and the one being read, as a value mutated in place (a nested
    /// function capturing them boxed both and checked exclusive access on every byte).
    private struct WordCollector {
        var words: [String] = []
        var current: [UInt8] = []  // the word so far, as UTF-8
        var currentIsASCII = true

        mutating func append(_ utf8: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
            current.append(contentsOf: utf8[range])
            if range.count > 1 { currentIsASCII = false }
        }

        mutating func flush() {
            guard !current.isEmpty else { return }
            // ASCII letters were lower-cased on the way in; only other scripts need the full rule.
            let word = String(decoding: current, as: UTF8.self)
            words.append(currentIsASCII ? word : word.lowercased())
            current.removeAll(keepingCapacity: true)
            currentIsASCII = true
        }
    }

    /// Number of words as `words(_:)` counts them, without building them (every corpus row is
    /// counted at submit), reading the UTF-8 bytes directly.
    public static func wordCount(_ text: String) -> Int {
        var text = text
        return text.withUTF8 { utf8 in
            var (count, inWord, index) = (0, false, 0)
            while index < utf8.count {
                let (scalar, length) = decodeScalar(utf8, at: index)
                index += length
                if isSingleCharacterWord(scalar) {
                    count += 1
                    inWord = false
                } else if isWordScalar(scalar) {
                    if !inWord { count += 1 }
                    inWord = true
                } else if (scalar == "'" || scalar == "’" || scalar == "-"), inWord, index < utf8.count,
                    isWordScalar(decodeScalar(utf8, at: index).scalar)
                {
                    continue  // inside a word, as in `words(_:)`
                } else {
                    inWord = false
                }
            }
            return count
        }
    }

    /// `text` with white space folded as `foldWhitespace` does, appended to `bytes` as UTF-8
    /// (the content hash's input, without building a string for it).
    public static func appendFoldedWhitespace(_ text: String, to bytes: inout [UInt8]) {
        let start = bytes.count
        var pendingSpace = false
        var text = text
        text.withUTF8 { utf8 in
            var index = 0
            while index < utf8.count {
                let (scalar, length) = decodeScalar(utf8, at: index)
                if isWhitespace(scalar) {
                    pendingSpace = bytes.count > start
                } else {
                    if pendingSpace {
                        bytes.append(0x20)
                        pendingSpace = false
                    }
                    if length == 1 { bytes.append(utf8[index]) } else { bytes.append(contentsOf: utf8[index..<(index + length)]) }
                }
                index += length
            }
        }
    }

    /// The scalar whose UTF-8 starts at `index` of valid UTF-8 (a String's), and its length in bytes.
    @inline(__always)
    static func decodeScalar(_ utf8: UnsafeBufferPointer<UInt8>, at index: Int) -> (scalar: Unicode.Scalar, length: Int) {
        let lead = utf8[index]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        let length = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
        var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for offset in 1..<length { value = value << 6 | UInt32(utf8[index + offset] & 0x3F) }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }

    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let value = scalar.value | 0x20  // folds A-Z onto a-z
            return (value >= 0x61 && value <= 0x7A) || (scalar.value >= 0x30 && scalar.value <= 0x39)
        }
        let properties = scalar.properties
        return properties.isAlphabetic || properties.numericType != nil
    }

    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar == " " || (scalar.value >= 0x09 && scalar.value <= 0x0D) }
        return scalar.properties.isWhitespace
    }

    static func isSingleCharacterWord(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
