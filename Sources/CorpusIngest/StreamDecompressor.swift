import TreeInstructCore

/// The compressions a corpus may travel in and be read directly.
public enum CorpusCompression: String, Sendable, Hashable, CaseIterable {
    case gzip
    case zstd

    /// A fresh decoder for one stream, or why none can be made here.
    func makeDecompressor(outputBytes: Int) throws(CorpusError.Reason) -> any StreamDecompressor {
        switch self {
        case .gzip: return try GzipDecompressor(outputBytes: outputBytes)
        case .zstd:
            guard let library = ZstdLibrary.shared else { throw .zstdUnavailable }
            return try ZstdDecompressor(library: library, outputBytes: outputBytes)
        }
    }
}

/// Undoes one compression as a stream: compressed chunks in, decompressed chunks out, with
/// one fixed output buffer, so memory stays constant whatever the file's size.
protocol StreamDecompressor: AnyObject {
    var compression: CorpusCompression { get }
    /// Compressed bytes consumed so far.
    var consumed: Int { get }
    /// Whether the input so far ends exactly where a gzip member or zstd frame ends. False at
    /// the end of the input means the file was cut short.
    var isAtEnd: Bool { get }
    /// Decompressed bytes up to the end of the last whole member or frame, whose checksum
    /// matched. Damage is often noticed only at that checksum: output after this point, already
    /// handed out, may be garbled. Set before the chunk that ends a member is emitted.
    var verifiedOutput: Int { get }
    /// Decompresses all of `input`, handing out the output in chunks as it comes.
    func decompress(_ input: UnsafeRawBufferPointer, emit: (UnsafeBufferPointer<UInt8>) -> Void) throws(DecompressionFailure)
}

/// The stream is damaged: where (compressed byte offset) and what the library said.
struct DecompressionFailure: Error {
    let offset: Int
    let detail: String
}
