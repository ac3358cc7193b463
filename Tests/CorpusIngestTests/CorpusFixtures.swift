import CorpusIngest
import EmbeddedPostgres
import Foundation
import Testing
import TreeInstructCore

/// A directory of its own for one test's files, removed when the test ends.
final class ScratchDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "treeinstruct-corpus-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ bytes: [UInt8], to name: String) throws -> String {
        let file = path + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }

    /// `bytes` run through a compressor's command line (`tool` reads a file, writes standard
    /// output), or nil when the tool is not installed.
    func compress(_ bytes: [UInt8], with tool: String, _ arguments: [String]) throws -> [UInt8]? {
        guard let executable = Tools.path(of: tool) else { return nil }
        let input = try write(bytes, to: "input-\(UUID().uuidString)")
        let output = path + "/output-\(UUID().uuidString)"
        // Blocking, but for milliseconds: small buffers through gzip or zstd.
        let status = try ChildProcess.run([executable] + arguments + [input], outputPath: output, errorPath: path + "/stderr")
        try #require(status == 0, "\(tool) failed: \((try? String(contentsOfFile: path + "/stderr", encoding: .utf8)) ?? "")")
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: output)))
    }

    /// Runs a command found on PATH; nil when it is not installed, else its exit status.
    func run(_ tool: String, _ arguments: [String]) throws -> Int32? {
        guard let executable = Tools.path(of: tool) else { return nil }
        return try ChildProcess.run([executable] + arguments, outputPath: path + "/\(tool).log")
    }

    func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        try #require(try compress(bytes, with: "gzip", ["-c", "-n"]), "the gzip command is needed")
    }

    /// zstd's command line, or libzstd itself when only the library is installed.
    func zstd(_ bytes: [UInt8]) throws -> [UInt8]? {
        try compress(bytes, with: "zstd", ["-q", "-c"]) ?? Tools.zstdCompress(bytes)
    }
}

enum Tools {
    /// Where `name` is on PATH, as `command -v` finds it.
    static func path(of name: String) -> String? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }

    static let hasZstd = path(of: "zstd") != nil || dlopen("libzstd.so.1", RTLD_NOW) != nil

    /// One zstd frame made by libzstd's ZSTD_compress, loaded as the reader loads it.
    static func zstdCompress(_ bytes: [UInt8]) -> [UInt8]? {
        typealias Bound = @convention(c) (Int) -> Int
        typealias Compress = @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeRawPointer?, Int, Int32) -> Int
        guard let library = dlopen("libzstd.so.1", RTLD_NOW),
            let bound = dlsym(library, "ZSTD_compressBound").map({ unsafeBitCast($0, to: Bound.self) }),
            let compress = dlsym(library, "ZSTD_compress").map({ unsafeBitCast($0, to: Compress.self) })
        else { return nil }
        var output = [UInt8](repeating: 0, count: bound(bytes.count))
        let written = output.withUnsafeMutableBytes { target in
            bytes.withUnsafeBytes { source in compress(target.baseAddress, target.count, source.baseAddress, source.count, 3) }
        }
        guard written > 0, written <= output.count else { return nil }
        return Array(output.prefix(written))
    }
}

enum Corpus {
    /// `count` distinct Alpaca lines, numbered from `first`, with enough variety that they
    /// compress to more than a few blocks.
    static func alpaca(_ count: Int, first: Int = 1) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var text = ""
        for index in first..<(first + count) {
            text += #"{"instruction": "Task \#(index)", "input": "seed \#(UInt64.random(in: 0...UInt64.max, using: &generator))"}"# + "\n"
        }
        return Array(text.utf8)
    }

    static func items(_ file: CorpusFile) -> (records: [InstructionRecord], errors: [CorpusError]) {
        var records: [InstructionRecord] = [], errors: [CorpusError] = []
        for item in file {
            switch item {
            case .record(let record): records.append(record)
            case .error(let error): errors.append(error)
            }
        }
        return (records, errors)
    }

    /// The error `resolvedFormat()` throws, or nil when it accepts the file.
    static func refusal(_ file: CorpusFile) -> CorpusError? {
        do {
            _ = try file.resolvedFormat()
            return nil
        } catch {
            return error
        }
    }
}

/// A pipe whose write end is fed from another thread, as a shell feeds standard input.
final class FedPipe {
    let readEnd: Int32

    init(feeding bytes: [UInt8]) throws {
        var ends: [Int32] = [0, 0]
        // Close-on-exec: a child another test spawns meanwhile (a PostgreSQL server lives on)
        // must not inherit the write end, or the reader never sees the end of the stream.
        // (Glibc's module has no pipe2; the window between pipe and fcntl is a few instructions.)
        try #require(pipe(&ends) == 0)
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        readEnd = ends[0]
        let writeEnd = ends[1]
        // A reader that stops early closes its end: the writer must get EPIPE, not die of SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        Thread.detachNewThread {
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Foundation.write(writeEnd, buffer.baseAddress! + offset, buffer.count - offset)
                    if written <= 0 { break }
                    offset += written
                }
            }
            close(writeEnd)
        }
    }

    deinit { close(readEnd) }
}
