/// Names users type and other users read back in a terminal (run and model names): printable
/// characters only, so `status` can never be made to print a newline or an escape sequence.
public enum PrintableName {
    /// Why `name` is not a usable name, or nil. Control, format (bidirectional overrides,
    /// zero-width) and line-separator characters are refused, as are unassigned code points and
    /// white space at either end.
    public static func problem(_ name: String, length: ClosedRange<Int>) -> String? {
        let count = name.count
        if count < length.lowerBound { return name.isEmpty ? "must not be empty" : "must have at least \(length.lowerBound) characters" }
        if count > length.upperBound { return "must have at most \(length.upperBound) characters, got \(count)" }
        if let bad = name.unicodeScalars.first(where: isUnprintable) {
            return "must hold printable characters only, got U+\(String(bad.value, radix: 16, uppercase: true).leftPadded(to: 4))"
        }
        if name.first?.isWhitespace == true || name.last?.isWhitespace == true { return "must not start or end with white space" }
        return nil
    }

    /// `text` made safe to print on one terminal line: unprintable characters as `\u{…}`,
    /// cut to `limit` characters with an ellipsis. For names stored before they were checked.
    public static func shown(_ text: String, limit: Int = 80) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if result.unicodeScalars.count >= limit { return result + "…" }
            result += isUnprintable(scalar) ? "\\u{\(String(scalar.value, radix: 16, uppercase: true))}" : String(scalar)
        }
        return result
    }

    static func isUnprintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .unassigned, .surrogate, .privateUse: true
        default: false
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
