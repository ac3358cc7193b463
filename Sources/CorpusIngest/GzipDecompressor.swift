internal import CZlib
import TreeInstructCore

/// gzip through the system zlib. Reads every member of a multi-member file (`cat a.gz b.gz`,
/// pigz, bgzip), as gzip -d does.
final class GzipDecompressor: StreamDecompressor {
    let compression = CorpusCompression.gzip
    private(set) var consumed = 0
    private(set) var isAtEnd = false
    private(set) var verifiedOutput = 0
    private var totalOutput = 0
    /// zlib keeps a pointer back to its stream: it must not move, so it lives on the heap.
    private let stream: UnsafeMutablePointer<z_stream>
    private let output: UnsafeMutableBufferPointer<UInt8>

    init(outputBytes: Int) throws(CorpusError.Reason) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 + 32: the largest window, and the header (gzip or zlib) recognised from the data.
        let status = CZlib_inflateInit2(stream, 15 + 32)
        guard status == Z_OK else {
            stream.deallocate()
            throw .unreadable("zlib cannot start a decoder (error \(status))")
        }
        output = .allocate(capacity: outputBytes)
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        output.deallocate()
    }

    func decompress(_ input: UnsafeRawBufferPointer, emit: (UnsafeBufferPointer<UInt8>) -> Void) throws(DecompressionFailure) {
        guard let base = input.baseAddress, !input.isEmpty else { return }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        defer {
            consumed += input.count - Int(stream.pointee.avail_in)
            stream.pointee.next_in = nil
            stream.pointee.avail_in = 0
        }
        while true {
            if isAtEnd {
                guard stream.pointee.avail_in > 0 else { return }
                // Another member follows the one that ended: start it afresh.
                inflateReset(stream)
                isAtEnd = false
            }
            stream.pointee.next_out = output.baseAddress
            stream.pointee.avail_out = uInt(output.count)
            let status = inflate(stream, Z_NO_FLUSH)
            let produced = output.count - Int(stream.pointee.avail_out)
            totalOutput += produced
            if status == Z_STREAM_END {
                isAtEnd = true
                verifiedOutput = totalOutput
            }
            if produced > 0 { emit(UnsafeBufferPointer(rebasing: output[..<produced])) }
            switch status {
            case Z_STREAM_END:
                continue
            case Z_OK where stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0:
                return  // everything consumed and flushed: wait for the next chunk
            case Z_OK:
                continue
            case Z_BUF_ERROR where stream.pointee.avail_in == 0:
                return  // no progress without more input
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                throw DecompressionFailure(offset: consumed + input.count - Int(stream.pointee.avail_in), detail: message)
            }
        }
    }
}
