/// One text as the validator's checks read it, worked out once: a rewrite is compared with its
/// original by a dozen checks, and each used to fold, lower-case and split both texts again.
struct TextProfile: Sendable {
    let text: String
    /// White space folded, lower-cased, curly apostrophes made straight.
    let lowered: String
    /// `lowered` as bytes, for the phrase searches: a dozen phrases are looked for in each text.
    let loweredBytes: [UInt8]
    let words: [String]
    let vocabulary: Set<String>

    init(_ text: String) {
        self.text = text
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        TextNormalization.appendFoldedWhitespace(text, to: &bytes)
        if bytes.allSatisfy({ $0 < 0x80 }) {
            // ASCII (most rows): lower-cased in place, as `lowercased()` would.
            for index in bytes.indices where bytes[index] >= 0x41 && bytes[index] <= 0x5A { bytes[index] += 0x20 }
            lowered = String(decoding: bytes, as: UTF8.self)
        } else {
            var lowered = String(decoding: bytes, as: UTF8.self).lowercased()
            if lowered.unicodeScalars.contains("’") {
                lowered = String(String.UnicodeScalarView(lowered.unicodeScalars.map { $0 == "’" ? "'" : $0 }))
            }
            self.lowered = lowered
            bytes = Array(lowered.utf8)
        }
        loweredBytes = bytes
        words = TextNormalization.words(text)
        vocabulary = Set(words)
    }

    /// Whether the lowered text contains `phrase` (lower-case already), as bytes: the stdlib's
    /// and Foundation's searches compare grapheme by grapheme, many times slower.
    func mentions(_ phrase: String) -> Bool { Self.contains(loweredBytes[...], phrase) }

    /// Whether the lowered text's first `limit` bytes (cut at a character) contain `phrase`.
    func opensWith(_ phrase: String, within limit: Int) -> Bool {
        Self.contains(loweredBytes.prefix(limit + phrase.utf8.count), phrase)
    }

    /// Whether `needle`'s bytes occur in `haystack`: compared on contiguous bytes, as the generic
    /// search over `String.UTF8View` cost the worker a twentieth of its time.
    static func contains(_ haystack: ArraySlice<UInt8>, _ needle: String) -> Bool {
        var needle = needle
        return needle.withUTF8 { needle in
            haystack.withUnsafeBufferPointer { haystack in
                guard let first = needle.first else { return true }
                guard haystack.count >= needle.count else { return false }
                var start = 0
                let last = haystack.count - needle.count
                while start <= last {
                    if haystack[start] == first, memoryEqual(haystack, at: start, needle) { return true }
                    start += 1
                }
                return false
            }
        }
    }

    private static func memoryEqual(_ haystack: UnsafeBufferPointer<UInt8>, at start: Int, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        for offset in 1..<needle.count where haystack[start + offset] != needle[offset] { return false }
        return true
    }
}
