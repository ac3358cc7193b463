import Glibc

extension OutputTarget {
    /// Opens the target, lets `body` write through an `OutputWriter`, and finishes it.
    ///
    /// For a replaced file the bytes go to a temporary file beside the destination, which is
    /// flushed to disk (fsync) and renamed over it only after `body` returns; if `body` throws
    /// (a lost database, a cancelled command) or writing fails, the temporary file is removed and
    /// the destination is exactly as it was. Devices, FIFOs and standard output are written
    /// through: what was written before a failure stays written, and the command still fails.
    public func write<Result>(_ body: (OutputWriter) async throws -> Result) async throws -> Result {
        let writer = try OutputWriter(opening: self)
        do {
            let result = try await body(writer)
            try writer.finish()
            return result
        } catch {
            writer.abandon()
            throw error
        }
    }
}

/// Buffered writes to one opened `OutputTarget`; made only by `OutputTarget.write`.
public final class OutputWriter {
    public let target: OutputTarget
    let descriptor: Int32
    /// The file renamed over the destination at the end (replaced files only).
    let temporaryPath: String?
    var buffer: [UInt8] = []
    var isOpen = true
    static let flushSize = 1 << 16

    init(opening target: OutputTarget) throws(OutputError) {
        self.target = target
        buffer.reserveCapacity(Self.flushSize)
        switch target.kind {
        case .standardOutput:
            descriptor = STDOUT_FILENO
            temporaryPath = nil
        case .stream:
            descriptor = Glibc.open(target.resolvedPath, O_WRONLY | O_CLOEXEC | O_NOCTTY)
            temporaryPath = nil
            guard descriptor >= 0 else { throw target.failure(Errno.text(errno)) }
        case .replaced(let existing):
            let folder = OutputTarget.directory(of: target.resolvedPath)
            let name = target.resolvedPath.split(separator: "/").last.map(String.init) ?? "output"
            let temporary = "\(folder)/.\(name).\(getpid()).\(UInt32.random(in: .min ... .max)).partial"
            descriptor = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o666)
            guard descriptor >= 0 else { throw target.failure("cannot create a file in \(folder): \(Errno.text(errno))") }
            temporaryPath = temporary
            if let existing {
                // The new file takes the old one's place, so it takes its permissions (and, when
                // we may, its owner) too.
                _ = fchmod(descriptor, mode_t(existing.mode))
                if existing.owner != geteuid() || existing.group != getegid() {
                    _ = fchown(descriptor, uid_t(existing.owner), gid_t(existing.group))
                }
            }
        }
    }

    /// Appends bytes, writing them out in 64 KiB blocks.
    public func write(_ bytes: some Sequence<UInt8>) throws(OutputError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.flushSize { try flush() }
    }

    func flush() throws(OutputError) {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { raw in
                Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw target.failure("write failed: \(Errno.text(errno))")
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered and makes it durable: for a replaced file, fsync, rename over the
    /// destination, and fsync the directory so the rename survives a crash too.
    func finish() throws(OutputError) {
        try flush()
        guard let temporaryPath else {
            // A FIFO or terminal cannot be synced; a device that can is synced.
            if fsync(descriptor) != 0, ![EINVAL, EROFS, ENOTSUP].contains(errno) {
                throw target.failure("write failed: \(Errno.text(errno))")
            }
            if target.kind == .stream { _ = close(descriptor) }
            isOpen = false
            return
        }
        guard fsync(descriptor) == 0 else { throw target.failure("write failed: \(Errno.text(errno))") }
        isOpen = false
        guard close(descriptor) == 0 else { throw target.failure("write failed: \(Errno.text(errno))") }
        guard rename(temporaryPath, target.resolvedPath) == 0 else {
            let reason = Errno.text(errno)
            unlink(temporaryPath)
            throw target.failure("cannot put the new file in place: \(reason)")
        }
        let folder = Glibc.open(OutputTarget.directory(of: target.resolvedPath), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            _ = fsync(folder)
            _ = close(folder)
        }
    }

    /// Gives up: closes what was opened and removes the temporary file, leaving the
    /// destination as it was.
    func abandon() {
        if isOpen, target.kind != .standardOutput { _ = close(descriptor) }
        isOpen = false
        if let temporaryPath { unlink(temporaryPath) }
    }
}

extension OutputTarget {
    func failure(_ reason: String) -> OutputError { OutputError(option: option, path: shownPath, reason: reason) }
}
