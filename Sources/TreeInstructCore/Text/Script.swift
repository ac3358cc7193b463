/// The writing system most of a text's letters belong to: a cheap, dependable stand-in for
/// "the same language" that needs no model and no dictionary.
public enum Script: String, Sendable, Hashable, CaseIterable {
    case latin, cyrillic, greek, arabic, hebrew, devanagari, thai, hangul, cjk, other

    /// The script of most letters in `text`, or nil when it has fewer than `minimumLetters`.
    /// Ties go to the script whose name sorts first, so the answer never depends on hashing.
    public static func dominant(in text: String, minimumLetters: Int = 3) -> Script? {
        var counts = [Int](repeating: 0, count: allCases.count)
        var letters = 0
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                // ASCII letters are Latin; the Unicode property lookup below is the slow path.
                guard (0x41...0x5A).contains(scalar.value) || (0x61...0x7A).contains(scalar.value) else { continue }
                counts[latinIndex] += 1
            } else {
                guard scalar.properties.isAlphabetic else { continue }
                counts[index[of(scalar)]!] += 1
            }
            letters += 1
        }
        guard letters >= minimumLetters else { return nil }
        let best = allCases.indices.max { a, b in
            counts[a] != counts[b] ? counts[a] < counts[b] : allCases[a].rawValue > allCases[b].rawValue
        }
        return best.map { allCases[$0] }
    }

    private static let index: [Script: Int] = Dictionary(uniqueKeysWithValues: allCases.enumerated().map { ($1, $0) })
    private static let latinIndex = index[.latin]!

    static func of(_ scalar: Unicode.Scalar) -> Script {
        switch scalar.value {
        case 0x0041...0x024F, 0x1E00...0x1EFF: .latin
        case 0x0370...0x03FF, 0x1F00...0x1FFF: .greek
        case 0x0400...0x052F: .cyrillic
        case 0x0590...0x05FF: .hebrew
        case 0x0600...0x06FF, 0x0750...0x077F: .arabic
        case 0x0900...0x097F: .devanagari
        case 0x0E00...0x0E7F: .thai
        case 0x1100...0x11FF, 0xAC00...0xD7AF: .hangul
        case 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF: .cjk
        default: .other
        }
    }
}
