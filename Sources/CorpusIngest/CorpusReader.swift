import Foundation
import TreeInstructCore

/// Reads one corpus from its first byte: raw chunks, decompressed when the probe says so,
/// decoded into items in file order, one chunk per `step`.
///
/// A damaged or cut compressed stream ends the read with one located error, and the
/// incomplete line it ends in is never decoded: a half record must not become a task.
final class CorpusReader {
    private let input: ByteInput
    private let name: String
    private let decompressor: (any StreamDecompressor)?
    private var decoder: CorpusDecoder
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    /// Decompressed bytes and line feeds so far, to say which line a damaged stream ends in.
    private var decompressedBytes = 0
    private var lineFeeds = 0
    /// Line feeds up to the end of the last member or frame whose checksum matched.
    private var verifiedLineFeeds = 0

    init(input: ByteInput, probe: CorpusProbe, name: String, maxRecordBytes: Int, chunkBytes: Int) throws(CorpusError) {
        self.input = input
        self.name = name
        do throws(CorpusError.Reason) {
            decompressor = try probe.compression?.makeDecompressor(outputBytes: chunkBytes)
        } catch {
            throw CorpusError(file: name, reason: error)
        }
        decoder = CorpusDecoder(format: probe.format, file: name, maxRecordBytes: maxRecordBytes)
        buffer = .allocate(capacity: chunkBytes)
    }

    deinit { buffer.deallocate() }

    /// Reads and decodes the next chunk. False once the corpus is done (its end or an error).
    func step(emit: (CorpusItem) -> Void) -> Bool {
        let count: Int
        do throws(CorpusError) {
            count = try input.read(into: UnsafeMutableRawBufferPointer(buffer))
        } catch {
            emit(.error(error))
            return false
        }
        let chunk = UnsafeBufferPointer(rebasing: buffer[..<count])
        guard let decompressor else {
            if count == 0 {
                decoder.finish(emit: emit)
                return false
            }
            decoder.feed(chunk, emit: emit)
            return true
        }
        if count == 0 {
            if decompressor.isAtEnd {
                decoder.finish(emit: emit)
            } else {
                emit(.error(located(.truncatedStream(compression: decompressor.compression.rawValue, offset: decompressor.consumed))))
            }
            return false
        }
        do throws(DecompressionFailure) {
            try decompressor.decompress(UnsafeRawBufferPointer(chunk)) { output in
                noteVerified(decompressor)
                countLineFeeds(output)
                noteVerified(decompressor)
                decoder.feed(output, emit: emit)
            }
        } catch {
            noteVerified(decompressor)
            let reached = lineFeeds + 1
            let suspect = verifiedLineFeeds + 1 < reached ? (verifiedLineFeeds + 1)...(reached - 1) : nil
            emit(
                .error(
                    located(
                        .corruptStream(
                            compression: decompressor.compression.rawValue, offset: error.offset,
                            detail: error.detail, suspectLines: suspect))))
            return false
        }
        return true
    }

    /// Members end between emitted chunks: when the output so far ends one, its lines are sound.
    private func noteVerified(_ decompressor: any StreamDecompressor) {
        if decompressor.verifiedOutput == decompressedBytes { verifiedLineFeeds = lineFeeds }
    }

    /// At the line the decompressed text had reached; the whole file when it had none.
    private func located(_ reason: CorpusError.Reason) -> CorpusError {
        CorpusError(file: name, line: decompressedBytes == 0 ? 0 : lineFeeds + 1, reason: reason)
    }

    private func countLineFeeds(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard var position = UnsafeRawPointer(bytes.baseAddress) else { return }
        decompressedBytes += bytes.count
        let end = position + bytes.count
        while position < end, let hit = memchr(position, 0x0A, end - position) {
            lineFeeds += 1
            position = UnsafeRawPointer(hit) + 1
        }
    }
}
