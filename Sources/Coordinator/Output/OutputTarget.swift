import Glibc

/// Where a dataset goes, decided before anything is written: standard output (`-`), a regular
/// file (or none yet) that is replaced only once the new one is complete, or a device or FIFO
/// that is written through. Symbolic links are followed to their target, so a link to a
/// dataset is kept and its target updated.
public struct OutputTarget: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// `-`: written through, never closed.
        case standardOutput
        /// A regular file or a path with nothing there yet: a temporary file beside it is
        /// renamed over it after the last byte is on disk. `existing` is the file's mode and
        /// owner, given to the new file.
        case replaced(existing: ExistingFile?)
        /// A character or block device, or a FIFO: opened as is (never created, truncated or
        /// replaced) and written through.
        case stream
    }

    public struct ExistingFile: Sendable, Hashable {
        public var mode: UInt32
        public var owner: UInt32
        public var group: UInt32
    }

    /// The path as the user gave it, for messages.
    public let shownPath: String
    /// The option that named it, for messages (`--output`).
    public let option: String
    /// The path written: `shownPath` with its symbolic links followed.
    public let resolvedPath: String
    public let kind: Kind

    /// Resolves `path` and checks it can be written, creating and changing nothing.
    public static func resolve(_ path: String, option: String = "--output") throws(OutputError) -> OutputTarget {
        if path == "-" { return OutputTarget(shownPath: path, option: option, resolvedPath: path, kind: .standardOutput) }
        func failure(_ reason: String) -> OutputError { OutputError(option: option, path: path, reason: reason) }
        guard !path.isEmpty else { throw failure("the path is empty") }
        let resolved = try followLinks(path, failure: failure)
        var info = stat()
        guard stat(resolved, &info) == 0 else {
            let code = errno
            guard code == ENOENT else { throw failure(Errno.text(code)) }
            try requireWritableDirectory(of: resolved, failure: failure)
            return OutputTarget(shownPath: path, option: option, resolvedPath: resolved, kind: .replaced(existing: nil))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            try requireWritableDirectory(of: resolved, failure: failure)
            let existing = ExistingFile(mode: UInt32(info.st_mode & 0o7777), owner: UInt32(info.st_uid), group: UInt32(info.st_gid))
            return OutputTarget(shownPath: path, option: option, resolvedPath: resolved, kind: .replaced(existing: existing))
        case S_IFCHR, S_IFBLK, S_IFIFO:
            guard access(resolved, W_OK) == 0 else { throw failure(Errno.text(errno)) }
            return OutputTarget(shownPath: path, option: option, resolvedPath: resolved, kind: .stream)
        case S_IFDIR: throw failure("is a directory")
        case S_IFSOCK: throw failure("is a socket, not a file")
        default: throw failure("is not a file, a device or a FIFO")
        }
    }

    /// Follows symbolic links (a chain of them too) to the path they end at, which may not exist
    /// yet; relative targets are read from the link's own directory.
    static func followLinks(_ path: String, failure: (String) -> OutputError) throws(OutputError) -> String {
        var current = path
        for _ in 0..<40 {
            var info = stat()
            guard lstat(current, &info) == 0, info.st_mode & S_IFMT == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink(current, &buffer, buffer.count - 1)
            guard length >= 0 else { throw failure(Errno.text(errno)) }
            let target = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = target.hasPrefix("/") ? target : directory(of: current) + "/" + target
        }
        throw failure("too many levels of symbolic links")
    }

    /// The new file is created beside the destination, so the directory must take new files.
    static func requireWritableDirectory(of path: String, failure: (String) -> OutputError) throws(OutputError) {
        let folder = directory(of: path)
        var info = stat()
        guard stat(folder, &info) == 0 else { throw failure("the directory \(folder) does not exist") }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw failure("\(folder) is not a directory") }
        guard access(folder, W_OK | X_OK) == 0 else { throw failure("cannot create files in \(folder): \(Errno.text(errno))") }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// The output could not be resolved, opened, written or finished: one line naming the option
/// and the path.
public struct OutputError: Error, CustomStringConvertible, Sendable {
    public let option: String
    public let path: String
    public let reason: String
    public var description: String { "\(option) \(path): \(reason)" }
}

enum Errno {
    static func text(_ code: Int32) -> String { String(cString: strerror(code)) }
}
