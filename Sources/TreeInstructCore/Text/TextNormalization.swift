/// The one place that decides when two pieces of text are "the same words".
///
/// Hashing, tree-label comparison and the validator's word checks all go through here, so a
/// label the validator accepts as kept is also the label the tree check accepts as kept.
public enum TextNormalization {
    /// Trims the ends and turns every run of white space into one space.
    public static func foldWhitespace(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace {
                out.unicodeScalars.append(" ")
                pendingSpace = false
            }
            out.unicodeScalars.append(scalar)
        }
        return out
    }

    /// White-space folded and lower-cased: how tree labels are compared.
    public static func foldLabel(_ label: String) -> String {
        foldWhitespace(label).lowercased()
    }

    /// Lower-cased words: runs of letters and digits (an apostrophe or hyphen inside a word
    /// keeps it whole). Ideographic and kana characters count one word each, since those
    /// scripts put no spaces between words.
    public static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        func flush() {
            if !current.isEmpty {
                words.append(String(current).lowercased())
                current = String.UnicodeScalarView()
            }
        }
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            if isSingleCharacterWord(scalar) {
                flush()
                words.append(String(scalar))
            } else if isWordScalar(scalar) {
                current.append(scalar)
            } else if (scalar == "'" || scalar == "’" || scalar == "-"), !current.isEmpty,
                      index + 1 < scalars.count, isWordScalar(scalars[index + 1]) {
                current.append(scalar)
            } else {
                flush()
            }
        }
        flush()
        return words
    }

    /// Number of words as `words(_:)` counts them.
    public static func wordCount(_ text: String) -> Int { words(text).count }

    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        return properties.isAlphabetic || properties.numericType != nil
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
