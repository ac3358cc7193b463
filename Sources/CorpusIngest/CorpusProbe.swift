import TreeInstructCore

/// What the first bytes of a corpus show: how it is compressed and which format it holds,
/// or why it cannot be read at all (refused before anything touches a database).
struct CorpusProbe: Sendable {
    /// Bytes looked at, compressed and decompressed: enough for format detection's 50 lines.
    static let headBytes = 1 << 16

    let compression: CorpusCompression?
    let format: CorpusFormat

    /// Peeks at `input`'s head (which `input` keeps for replay) and judges it.
    init(_ input: ByteInput, name: String, requestedFormat: CorpusFormat?) throws(CorpusError) {
        let raw = try input.peek(upTo: Self.headBytes)
        var head = raw
        switch ContentSignature.identify(raw) {
        case .gzip?: compression = .gzip
        case .zstd?: compression = .zstd
        case let other?: throw CorpusError(file: name, reason: other.refusal()!)
        case nil: compression = nil
        }
        if let compression {
            head = try Self.decompressedHead(raw, compression: compression, isWholeInput: raw.count < Self.headBytes, name: name)
            if let refusal = ContentSignature.identify(head)?.refusal(inside: compression.rawValue) {
                throw CorpusError(file: name, reason: refusal)
            }
        }
        if let refusal = TextSniffer.refusal(head) { throw CorpusError(file: name, reason: refusal) }
        format = requestedFormat ?? (Self.looksLikePlainText(name) ? .text : CorpusFormat.detect(head: head))
    }

    /// Up to `headBytes` of the decompressed stream. A stream that yields nothing at all
    /// (a damaged or cut header) is refused here; later damage is the reader's to report.
    private static func decompressedHead(
        _ raw: [UInt8], compression: CorpusCompression, isWholeInput: Bool,
        name: String
    ) throws(CorpusError) -> [UInt8] {
        let decompressor: any StreamDecompressor
        do throws(CorpusError.Reason) {
            decompressor = try compression.makeDecompressor(outputBytes: headBytes)
        } catch {
            throw CorpusError(file: name, reason: error)
        }
        var head: [UInt8] = []
        var failure: DecompressionFailure?
        raw.withUnsafeBytes { bytes in
            // Small steps, so a highly compressed head does not inflate far past what is kept.
            var offset = 0
            while offset < bytes.count, head.count < headBytes, failure == nil {
                let step = UnsafeRawBufferPointer(rebasing: bytes[offset..<min(offset + 4096, bytes.count)])
                do throws(DecompressionFailure) {
                    try decompressor.decompress(step) { head.append(contentsOf: $0.prefix(headBytes - head.count)) }
                } catch {
                    failure = error
                }
                offset += step.count
            }
        }
        guard head.isEmpty else { return head }
        if let failure {
            throw CorpusError(file: name, reason: .corruptStream(compression: compression.rawValue, offset: failure.offset, detail: failure.detail))
        }
        if isWholeInput, !decompressor.isAtEnd {
            throw CorpusError(file: name, reason: .truncatedStream(compression: compression.rawValue, offset: raw.count))
        }
        return head
    }

    /// By name, a list of plain instructions, compressed or not.
    static func looksLikePlainText(_ path: String) -> Bool {
        var name = path.lowercased()
        for suffix in [".gz", ".zst", ".zstd"] where name.hasSuffix(suffix) {
            name.removeLast(suffix.count)
        }
        return [".txt", ".text", ".lst"].contains { name.hasSuffix($0) }
    }
}
