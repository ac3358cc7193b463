import Crypto

/// A stable SHA-256 of (instruction, input), so re-submitting a corpus never creates a task twice.
///
/// Leading and trailing white space and runs of inner white space are folded first: two rows
/// that differ only in spacing or line endings are the same request. The encoding is versioned
/// and length-prefixed, so ("ab", "c") and ("a", "bc") never collide.
public struct ContentHash: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(instruction: String, input: String) {
        var hasher = SHA256()
        hasher.update(data: Self.version)
        var folded: [UInt8] = []
        folded.reserveCapacity(instruction.utf8.count + 8)
        for field in [instruction, input] {
            folded.removeAll(keepingCapacity: true)
            TextNormalization.appendFoldedWhitespace(field, to: &folded)
            var length = UInt64(folded.count).bigEndian
            withUnsafeBytes(of: &length) { hasher.update(bufferPointer: $0) }
            hasher.update(data: folded)
        }
        bytes = Array(hasher.finalize())
    }

    private static let version = Array("treeinstruct-content-v1".utf8)

    /// The first 8 bytes: a set of these finds likely repeats in little memory (equal hashes
    /// have equal prefixes; the rare unequal pair with one is told apart by the full hash).
    public var prefix: UInt64 {
        bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Lower-case hex, 64 characters.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }
}
