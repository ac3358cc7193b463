/// Markup that is safe to send: literals are written by this module, and every `String`
/// interpolated into one is escaped. Instructions, answers, run names and failure details are
/// hostile input (markup, scripts, quotes that end an attribute); they can only enter a page as
/// text, by construction, since there is no interpolation that takes a string as markup.
struct HTML: Sendable, ExpressibleByStringInterpolation, ExpressibleByStringLiteral {
    private(set) var markup: String

    init(stringLiteral literal: String) { markup = literal }

    init(stringInterpolation: Interpolation) { markup = stringInterpolation.markup }

    init(joining parts: some Sequence<HTML>) { markup = parts.map(\.markup).joined() }

    static let empty: HTML = ""

    struct Interpolation: StringInterpolationProtocol {
        var markup = ""

        init(literalCapacity: Int, interpolationCount: Int) { markup.reserveCapacity(literalCapacity + 16 * interpolationCount) }

        mutating func appendLiteral(_ literal: String) { markup += literal }
        /// Text, escaped for element content and for quoted attribute values alike.
        mutating func appendInterpolation(_ text: String) { markup += HTML.escape(text) }
        mutating func appendInterpolation(_ text: Substring) { markup += HTML.escape(String(text)) }
        mutating func appendInterpolation(_ html: HTML) { markup += html.markup }
        mutating func appendInterpolation(_ parts: [HTML]) { for part in parts { markup += part.markup } }
        mutating func appendInterpolation(_ number: Int) { markup += String(number) }
        mutating func appendInterpolation(_ number: Int64) { markup += String(number) }
        /// A number in an attribute or SVG coordinate: two decimals at most.
        mutating func appendInterpolation(fixed number: Double) {
            markup += number.isFinite ? String((number * 100).rounded() / 100) : "0"
        }
    }

    /// `&`, `<`, `>`, both quotes, and the C0 controls other than tab and new line (which no
    /// page needs and a terminal-minded attacker would send), made inert.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Parts of URLs this viewer builds from names and values it was given: percent-encoded so a
/// run called `../x?y` stays one path segment, and a query value stays one value.
enum URLPart {
    static func segment(_ text: String) -> String { encode(text) }

    static func query(_ pairs: [(String, String?)]) -> String {
        let present = pairs.compactMap { name, value in value.map { "\(name)=\(encode($0))" } }
        return present.isEmpty ? "" : "?" + present.joined(separator: "&")
    }

    private static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
