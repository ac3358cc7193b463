import TreeInstructCore

/// What a file's first bytes ("magic numbers") say it is, whatever it is called: gzip and
/// zstd are read; other compressions, archives and binary formats are refused by name, with
/// what to do instead, rather than decoded as a stream of garbage lines.
enum ContentSignature: Equatable {
    case gzip
    case zstd
    /// A compression or archive the reader does not undo.
    case unsupportedCompression(what: String, hint: String)
    /// A binary format that holds data, but not as text.
    case binaryFormat(what: String, hint: String)

    static let recompressHint = "decompress it, or recompress with gzip or zstd"
    static let archiveHint = "extract the corpus file from it (plain, or compressed with gzip or zstd)"

    static func identify(_ head: [UInt8]) -> ContentSignature? {
        func has(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + magic.count && head[offset..<(offset + magic.count)].elementsEqual(magic)
        }
        func has(_ magic: String, at offset: Int = 0) -> Bool { has(Array(magic.utf8), at: offset) }

        if has([0x1F, 0x8B]) { return .gzip }
        if has([0x28, 0xB5, 0x2F, 0xFD]) { return .zstd }
        if has([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return .unsupportedCompression(what: "xz-compressed", hint: recompressHint) }
        if isBzip2(head) { return .unsupportedCompression(what: "bzip2-compressed", hint: recompressHint) }
        if has([0x04, 0x22, 0x4D, 0x18]) { return .unsupportedCompression(what: "lz4-compressed", hint: recompressHint) }
        if has([0x1F, 0x9D]) { return .unsupportedCompression(what: "compressed with Unix compress (.Z)", hint: recompressHint) }
        if has([0x50, 0x4B, 0x03, 0x04]) || has([0x50, 0x4B, 0x05, 0x06]) {
            return .unsupportedCompression(what: "a zip archive", hint: archiveHint)
        }
        if has([0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) { return .unsupportedCompression(what: "a 7z archive", hint: archiveHint) }
        if has("ustar\0", at: 257) || has("ustar  \0", at: 257) {
            return .unsupportedCompression(what: "a tar archive", hint: archiveHint)
        }
        if has("%PDF-") { return .binaryFormat(what: "a PDF document", hint: "extract its text into a .txt or JSONL file") }
        // "PAR1" then a Thrift page header, which opens with a control byte: not a line of text.
        if has("PAR1"), head.count > 4, head[4] < 0x20, !TextSniffer.isTextControl(head[4]) {
            return .binaryFormat(what: "a Parquet file", hint: "convert it to JSONL")
        }
        if has("SQLite format 3\0") { return .binaryFormat(what: "an SQLite database", hint: "export its rows to JSONL") }
        return nil
    }

    /// "BZh", a block size digit, then the magic of a first block or of an empty stream's end.
    private static func isBzip2(_ head: [UInt8]) -> Bool {
        guard head.count >= 10, head.starts(with: Array("BZh".utf8)), (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(head[3]) else {
            return false
        }
        let next = Array(head[4..<10])
        return next == [0x31, 0x41, 0x59, 0x26, 0x53, 0x59] || next == [0x17, 0x72, 0x45, 0x38, 0x50, 0x90]
    }

    /// Why a file with this signature is refused; nil for gzip and zstd at the outer layer.
    /// `inside` names the compression the signature was found under (a .tar.gz).
    func refusal(inside outer: String? = nil) -> CorpusError.Reason? {
        let under = outer.map { " (\($0)-compressed)" } ?? ""
        switch self {
        case .gzip, .zstd:
            guard let outer else { return nil }
            return .unsupportedCompression(
                what: "compressed twice (\(self == .gzip ? "gzip" : "zstd") inside \(outer))",
                hint: "decompress the outer layer first")
        case .unsupportedCompression(let what, let hint):
            return .unsupportedCompression(what: what + under, hint: hint)
        case .binaryFormat(let what, let hint):
            return .binary(what: what + under, hint: hint)
        }
    }
}
