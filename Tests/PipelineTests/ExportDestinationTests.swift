import EmbeddedPostgres
import Foundation
import PostgresTestSupport
import TaskStore
import Testing

/// `export --output` to every kind of destination, in a temporary directory (never a real
/// system path): a file is replaced only when complete, links are followed and kept, devices
/// and FIFOs are written through and stay what they are, and a failure leaves what was there.
@Suite("Export destinations", .serialized, .enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
struct ExportDestinationTests {
    static let rows = 2500  // three pages of 1,000

    struct Fixture {
        let database: Database
        let folder: String
        var environment: [String: String] { WorkerProcess.environment(database.settings) }

        func export(_ output: String, run: String = "done", environment: [String: String]? = nil) async throws -> BadInvocationTests.Outcome {
            try await BadInvocationTests.invoke(
                ["export", "--schema", database.schema, "--run", run, "--output", output], environment: environment ?? self.environment)
        }

        func lines(_ path: String) throws -> [String] {
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        }

        /// Files in the folder other than `expected`: a leftover temporary file would show here.
        func strays(besides expected: Set<String>) throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: folder).filter { !expected.contains($0) }
        }
    }

    static func fixture() async throws -> Fixture {
        let database = try await TestPostgres.database()
        try await FinishedRun.seed(database, name: "done", rows: rows)
        let folder = NSTemporaryDirectory() + "export-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return Fixture(database: database, folder: folder)
    }

    static func kind(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : 0
    }

    @Test func regularFileIsReplacedWholeKeepingItsMode() async throws {
        let f = try await Self.fixture()
        let path = f.folder + "/data.jsonl"
        try "old\n".write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o640)
        let outcome = try await f.export(path)
        #expect(outcome.status == 0, "\(outcome.error)")
        let lines = try f.lines(path)
        #expect(lines.count == Self.rows)
        #expect(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil })
        var info = stat()
        stat(path, &info)
        #expect(info.st_mode & 0o7777 == 0o640)
        #expect(try f.strays(besides: ["data.jsonl"]).isEmpty)
    }

    @Test func symlinksAreFollowedAndKept() async throws {
        let f = try await Self.fixture()
        let target = f.folder + "/target.jsonl"
        try "old\n".write(toFile: target, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: f.folder + "/link.jsonl", withDestinationPath: "target.jsonl")
        try FileManager.default.createSymbolicLink(atPath: f.folder + "/dangling.jsonl", withDestinationPath: "new.jsonl")
        #expect(try await f.export(f.folder + "/link.jsonl").status == 0)
        #expect(Self.kind(f.folder + "/link.jsonl") == S_IFLNK)
        #expect(try f.lines(target).count == Self.rows)
        #expect(try await f.export(f.folder + "/dangling.jsonl").status == 0)
        #expect(Self.kind(f.folder + "/dangling.jsonl") == S_IFLNK)
        #expect(try f.lines(f.folder + "/new.jsonl").count == Self.rows)
        #expect(try f.strays(besides: ["target.jsonl", "link.jsonl", "dangling.jsonl", "new.jsonl"]).isEmpty)
    }

    @Test func fifoIsWrittenThroughAndStaysAFifo() async throws {
        let f = try await Self.fixture()
        let fifo = f.folder + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        // A reader on a thread of its own: opening a FIFO for reading blocks until the writer comes.
        let received = f.folder + "/received.jsonl"
        let reader = Thread {
            var data = Data()
            let descriptor = open(fifo, O_RDONLY)
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while descriptor >= 0 {
                let count = read(descriptor, &chunk, chunk.count)
                if count <= 0 { break }
                data.append(contentsOf: chunk[..<count])
            }
            close(descriptor)
            try? data.write(to: URL(fileURLWithPath: received))
        }
        reader.start()
        let outcome = try await f.export(fifo)
        #expect(outcome.status == 0, "\(outcome.error)")
        for _ in 0..<1000 where !FileManager.default.fileExists(atPath: received) { try await Task.sleep(for: .milliseconds(20)) }
        #expect(try f.lines(received).count == Self.rows)
        #expect(Self.kind(fifo) == S_IFIFO)
    }

    @Test(.enabled(if: getuid() == 0, "making a device node needs root"))
    func deviceNodeIsWrittenThroughAndStaysADevice() async throws {
        let f = try await Self.fixture()
        let device = f.folder + "/null"
        // A private null device (major 1, minor 3: old-style encoding, which Linux reads the same) in
        // the temporary folder, never /dev/null itself.
        guard mknod(device, S_IFCHR | 0o666, dev_t((1 << 8) | 3)) == 0 else {
            Issue.record("mknod failed: \(String(cString: strerror(errno)))")
            return
        }
        let outcome = try await f.export(device)
        #expect(outcome.status == 0, "\(outcome.error)")
        #expect(Self.kind(device) == S_IFCHR)
        #expect(try f.strays(besides: ["null"]).isEmpty)
    }

    @Test func standardOutputGetsEveryRow() async throws {
        let f = try await Self.fixture()
        let outcome = try await f.export("-")
        #expect(outcome.status == 0)
        #expect(outcome.output.split(separator: "\n").count == Self.rows)
    }

    @Test func failuresLeaveTheDestinationAsItWas() async throws {
        let f = try await Self.fixture()
        let path = f.folder + "/keep.jsonl"
        try "precious\n".write(toFile: path, atomically: false, encoding: .utf8)
        var wrongPassword = f.environment
        wrongPassword["PGPASSWORD"] = "not-the-password"
        let cases: [(outcome: BadInvocationTests.Outcome, code: Int32, says: String)] = [
            (try await f.export(path, run: "nosuch"), 66, "nosuch"),
            (try await f.export(path, environment: wrongPassword), 69, "cannot connect"),
            (try await f.export(f.folder), 73, "--output \(f.folder): is a directory"),
            (try await f.export(f.folder + "/missing/out.jsonl"), 73, "does not exist"),
        ]
        for (outcome, code, says) in cases {
            #expect(outcome.status == code, "\(outcome.error)")
            #expect(outcome.error.split(separator: "\n").count == 1)
            #expect(outcome.error.contains(says), "\(outcome.error)")
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "precious\n")
        #expect(try f.strays(besides: ["keep.jsonl"]).isEmpty)
    }
}
