/// Writes JSON text by hand, in a fixed field order, for the few small documents the simulator
/// sends on its hot path; cheaper than an encoder and keeps OpenAI's field order.
struct JSONText {
    private(set) var text = ""

    init(capacity: Int = 256) {
        text.reserveCapacity(capacity)
    }

    mutating func raw(_ fragment: String) {
        text += fragment
    }

    mutating func string(_ value: String) {
        Self.appendQuoted(value, to: &text)
    }

    /// `value` as a JSON string literal.
    static func quoted(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count + 2)
        appendQuoted(value, to: &out)
        return out
    }

    /// Copies runs of bytes that need no escape in one append each; the escaped bytes are all
    /// ASCII, so every run boundary is a character boundary.
    static func appendQuoted(_ value: String, to out: inout String) {
        out += "\""
        let utf8 = value.utf8
        var runStart = utf8.startIndex
        var index = runStart
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 {
                out += Substring(utf8[runStart..<index])
                out += escape(byte)
                utf8.formIndex(after: &index)
                runStart = index
            } else {
                utf8.formIndex(after: &index)
            }
        }
        out += Substring(utf8[runStart..<utf8.endIndex])
        out += "\""
    }

    private static func escape(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "\""): return "\\\""
        case UInt8(ascii: "\\"): return "\\\\"
        case UInt8(ascii: "\n"): return "\\n"
        case UInt8(ascii: "\r"): return "\\r"
        case UInt8(ascii: "\t"): return "\\t"
        default:
            let hex = String(byte, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
    }
}
