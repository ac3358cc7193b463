import Foundation
import TreeInstructCore

/// The raw (perhaps compressed) bytes of a corpus, read with read(2) from a file opened here
/// or from a descriptor someone else opened (standard input, a test's pipe).
///
/// What `peek` reads is handed out again by `read` first, so a stream that can be read only
/// once loses nothing to detection.
final class ByteInput {
    /// A pipe, FIFO, socket or terminal: it cannot be reopened, so its head must be kept.
    let isOnceOnly: Bool
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private let name: String
    private var head: [UInt8] = []
    private var replayed = 0
    private var reachedEnd = false
    private var started = false

    /// Wraps a descriptor opened elsewhere; it is read, never closed.
    init(descriptor: Int32, name: String) {
        self.descriptor = descriptor
        self.name = name
        ownsDescriptor = false
        isOnceOnly = true
    }

    private init(ownedDescriptor: Int32, name: String, isOnceOnly: Bool) {
        descriptor = ownedDescriptor
        self.name = name
        ownsDescriptor = true
        self.isOnceOnly = isOnceOnly
    }

    deinit {
        if ownsDescriptor { _ = close(descriptor) }
    }

    /// Opens a path for reading, turning the ways that fails into one-line whole-file errors.
    static func open(path: String) throws(CorpusError) -> ByteInput {
        var descriptor: Int32
        repeat { descriptor = Foundation.open(path, O_RDONLY | O_CLOEXEC) } while descriptor < 0 && errno == EINTR
        guard descriptor >= 0 else { throw CorpusError(file: path, reason: Self.reason(errno: errno)) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let reason = Self.reason(errno: errno)
            _ = close(descriptor)
            throw CorpusError(file: path, reason: reason)
        }
        let kind = status.st_mode & S_IFMT
        if kind == S_IFDIR {
            _ = close(descriptor)
            throw CorpusError(file: path, reason: .isDirectory)
        }
        return ByteInput(ownedDescriptor: descriptor, name: path, isOnceOnly: kind == S_IFIFO || kind == S_IFSOCK || kind == S_IFCHR)
    }

    /// The first `count` bytes (fewer at the end of the input), kept for `read` to replay.
    func peek(upTo count: Int) throws(CorpusError) -> [UInt8] {
        precondition(!started, "peek after read")
        while head.count < count, !reachedEnd {
            let (start, wanted) = (head.count, count - head.count)
            head.append(contentsOf: repeatElement(0, count: wanted))
            let got = try head.withUnsafeMutableBytes { bytes in
                Result { () throws(CorpusError) in try readDescriptor(into: UnsafeMutableRawBufferPointer(rebasing: bytes[start...])) }
            }.get()
            head.removeLast(wanted - got)
            if got == 0 { reachedEnd = true }
        }
        return Array(head.prefix(count))
    }

    /// Fills the start of `buffer` with the next bytes and says how many; 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(CorpusError) -> Int {
        started = true
        if replayed < head.count {
            let count = min(buffer.count, head.count - replayed)
            head.withUnsafeBytes { bytes in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[replayed..<(replayed + count)]))
            }
            replayed += count
            if replayed == head.count { (head, replayed) = ([], 0) }
            return count
        }
        // A terminal would wait for more after its end-of-file: do not ask again.
        if reachedEnd { return 0 }
        let count = try readDescriptor(into: buffer)
        if count == 0 { reachedEnd = true }
        return count
    }

    private func readDescriptor(into buffer: UnsafeMutableRawBufferPointer) throws(CorpusError) -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            let count = Foundation.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            switch errno {
            case EINTR: continue
            case EAGAIN:  // A non-blocking descriptor: wait for data rather than spin.
                var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                _ = poll(&ready, 1, -1)
            case let code: throw CorpusError(file: name, reason: Self.reason(errno: code))
            }
        }
    }

    static func reason(errno code: Int32) -> CorpusError.Reason {
        switch code {
        case ENOENT, ENOTDIR: .noSuchFile
        case EACCES, EPERM: .permissionDenied
        case EISDIR: .isDirectory
        default: .unreadable(String(cString: strerror(code)))
        }
    }
}
