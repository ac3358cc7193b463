internal import CZstdABI
import TreeInstructCore

/// zstd through libzstd's streaming API. Concatenated frames are read one after another.
final class ZstdDecompressor: StreamDecompressor {
    let compression = CorpusCompression.zstd
    private(set) var consumed = 0
    private(set) var isAtEnd = false
    private(set) var verifiedOutput = 0
    private var totalOutput = 0
    private let library: ZstdLibrary
    private let stream: OpaquePointer
    private let output: UnsafeMutableBufferPointer<UInt8>

    init(library: ZstdLibrary, outputBytes: Int) throws(CorpusError.Reason) {
        guard let stream = library.createDStream() else { throw .unreadable("libzstd cannot start a decoder") }
        let status = library.initDStream(stream)
        guard library.isError(status) == 0 else {
            _ = library.freeDStream(stream)
            throw .unreadable("libzstd cannot start a decoder: \(library.errorName(status))")
        }
        self.library = library
        self.stream = stream
        output = .allocate(capacity: outputBytes)
    }

    deinit {
        _ = library.freeDStream(stream)
        output.deallocate()
    }

    func decompress(_ input: UnsafeRawBufferPointer, emit: (UnsafeBufferPointer<UInt8>) -> Void) throws(DecompressionFailure) {
        guard !input.isEmpty else { return }
        var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        defer { consumed += source.pos }
        while true {
            var target = ZSTD_outBuffer(dst: UnsafeMutableRawPointer(output.baseAddress), size: output.count, pos: 0)
            // 0: a frame ended and is fully flushed; more: the frame goes on; or an error code.
            let hint = library.decompressStream(stream, &target, &source)
            if library.isError(hint) != 0 {
                throw DecompressionFailure(offset: consumed + source.pos, detail: library.errorName(hint))
            }
            totalOutput += target.pos
            isAtEnd = hint == 0
            if isAtEnd { verifiedOutput = totalOutput }
            if target.pos > 0 { emit(UnsafeBufferPointer(rebasing: output[..<target.pos])) }
            let mayHoldMore = target.pos == target.size && hint != 0
            if source.pos == source.size && !mayHoldMore { return }
        }
    }
}
