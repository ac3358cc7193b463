import EmbeddedPostgres
import Foundation
import Logging
import PostgresTestSupport
import TaskStore
import Testing

/// The database dies (`pg_ctl stop -m immediate`) in the middle of `export` and of `submit`,
/// five times each, on a private server: the command ends by itself within its deadline with
/// an exit code and one line (no crash signal, no hang), leaves no partial file under the
/// destination's name, and once the server is back a second run gives exactly what a clean
/// run gives.
///
/// They crash servers and load both cores for a minute, which would upset the timings other
/// suites check while running beside them: they run on their own, when TREEINSTRUCT_FAULT_TESTS
/// is set (`.ci/run` runs them after the main suite).
@Suite(
    "Database lost mid-command", .serialized, .enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason),
    .enabled(if: ProcessInfo.processInfo.environment["TREEINSTRUCT_FAULT_TESTS"] != nil, "fault tests: TREEINSTRUCT_FAULT_TESTS=1"))
struct DatabaseLossTests {
    /// Five by default; TREEINSTRUCT_CRASH_TRIES asks for more (a longer hunt for rare crashes).
    static let tries = ProcessInfo.processInfo.environment["TREEINSTRUCT_CRASH_TRIES"].flatMap { Int($0) } ?? 5
    /// Each command's bound on a dead server: the default of 60 s, though these commands run
    /// with a 10 s statement limit.
    static let deadline: Duration = .seconds(60)

    /// A private server in a temporary folder, its settings, and a place for files.
    struct Server {
        let postgres: EmbeddedPostgres
        let settings: DatabaseSettings
        let folder: String
        /// A statement limit of 10 s (default 30) keeps five crashes per test short.
        var environment: [String: String] { WorkerProcess.environment(settings).merging(["TREEINSTRUCT_DB_TIMEOUT": "10"]) { $1 } }

        static func start() async throws -> Server {
            let folder = NSTemporaryDirectory() + "db-loss-\(UUID().uuidString.prefix(8))"
            // Durable (fsync and synchronous commit on), as in production: a crash must not take
            // back what was committed, or the second run could not match a clean one.
            let postgres = EmbeddedPostgres(dataDirectory: folder + "/pg", durable: true)
            let endpoint = try await postgres.started(port: try DatabaseLossTests.quietPort())
            let settings = DatabaseSettings(
                host: endpoint.host, port: endpoint.port, user: endpoint.user, password: endpoint.password, database: endpoint.database,
                sslMode: .disable)
            return Server(postgres: postgres, settings: settings, folder: folder)
        }

        func withDatabase<Result: Sendable>(_ body: @Sendable (Database) async throws -> Result) async throws -> Result {
            var logger = Logger(label: "db-loss")
            logger.logLevel = .warning
            return try await Database(settings: settings, logger: logger).withRunning(body)
        }

        func crash() async throws { try await postgres.stopped(.immediate) }
        func restart() async throws { _ = try await postgres.started() }
        func remove() {
            try? postgres.stop()
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    /// A command started in the background, its output in files.
    final class Command: @unchecked Sendable {
        let process = Process()
        let out: String
        init(_ arguments: [String], environment: [String: String], folder: String) throws {
            out = folder + "/cmd-\(UUID().uuidString.prefix(8))"
            FileManager.default.createFile(atPath: out, contents: nil)
            FileManager.default.createFile(atPath: out + ".err", contents: nil)
            process.executableURL = URL(fileURLWithPath: WorkerProcess.executable)
            process.arguments = arguments
            process.environment = environment
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: out + ".err"))
            try process.run()
        }
        var error: String { (try? String(contentsOfFile: out + ".err", encoding: .utf8)) ?? "" }

        /// Waits at most `limit` for the end; kills it (and says so) when it does not come.
        func finish(within limit: Duration) async -> (status: Int32, signalled: Bool, took: Duration)? {
            let started = ContinuousClock.now
            while process.isRunning, ContinuousClock.now - started < limit { try? await Task.sleep(for: .milliseconds(20)) }
            guard !process.isRunning else {
                kill(process.processIdentifier, SIGKILL)
                return nil
            }
            return (process.terminationStatus, process.terminationReason == .uncaughtSignal, ContinuousClock.now - started)
        }
    }

    @Test func exportSurvivesTheDatabaseDying() async throws {
        let server = try await Server.start()
        defer { server.remove() }
        try await server.withDatabase { database in
            try await Migrator(database: database).migrate()
            try await FinishedRun.seed(database, name: "big", rows: 20_000, padding: 40)
        }
        let clean = server.folder + "/clean.jsonl"
        let reference = try await BadInvocationTests.invoke(
            ["export", "--run", "big", "--lineage", "--output", clean], environment: server.environment)
        #expect(reference.status == 0, "\(reference.error)")
        let destination = server.folder + "/out.jsonl"
        var interrupted = 0
        for attempt in 1...Self.tries {
            try "previous export\n".write(toFile: destination, atomically: false, encoding: .utf8)
            let export = try Command(
                ["export", "--run", "big", "--lineage", "--output", destination], environment: server.environment, folder: server.folder)
            // Crash the server once rows are being written (the temporary file exists).
            let watching = ContinuousClock.now
            while try Self.partials(in: server.folder).isEmpty, export.process.isRunning, ContinuousClock.now - watching < .seconds(30) {
                try await Task.sleep(for: .milliseconds(2))
            }
            try await server.crash()
            let end = await export.finish(within: Self.deadline)
            try await server.restart()
            guard let end else {
                Issue.record("try \(attempt): export still running \(Self.deadline) after the crash")
                continue
            }
            print("export try \(attempt): exit \(end.status) \(end.took) after the crash")
            #expect(!end.signalled, "try \(attempt): export died of a signal (\(end.status)): \(export.error.suffix(500))")
            if end.status != 0 {
                interrupted += 1
                #expect(export.error.split(separator: "\n").count == 1, "try \(attempt): \(export.error.suffix(1000))")
                #expect(try String(contentsOfFile: destination, encoding: .utf8) == "previous export\n", "try \(attempt)")
            } else {
                #expect(FileManager.contentsEqual(destination, clean))
            }
            #expect(try Self.partials(in: server.folder).isEmpty, "try \(attempt): a temporary file was left behind")
        }
        #expect(interrupted >= Self.tries - 1, "the crash came too late to interrupt the export in most tries")
        // Back up: the same export gives exactly the clean result.
        let again = try await BadInvocationTests.invoke(
            ["export", "--run", "big", "--lineage", "--output", destination], environment: server.environment)
        #expect(again.status == 0, "\(again.error)")
        #expect(FileManager.contentsEqual(destination, clean))
    }

    @Test func submitSurvivesTheDatabaseDying() async throws {
        let server = try await Server.start()
        defer { server.remove() }
        let lines = 60_000
        let corpus = server.folder + "/corpus.jsonl"
        try (1...lines).map { #"{"instruction": "Explain idea number \#($0) to a curious student, with one example."}"# }
            .joined(separator: "\n").write(toFile: corpus, atomically: false, encoding: .utf8)
        try await server.withDatabase { try await Migrator(database: $0).migrate() }
        let submit = ["submit", "--corpus", corpus, "--run", "big", "--shard-size", "3000"]
        for attempt in 1...Self.tries {
            let command = try Command(submit, environment: server.environment, folder: server.folder)
            // Crash once some shards are in (0.3 s to 1.9 s in: early, middle and late).
            try await Task.sleep(for: .milliseconds(300 + 400 * ((attempt - 1) % 5)))
            try await server.crash()
            let end = await command.finish(within: Self.deadline)
            try await server.restart()
            guard let end else {
                Issue.record("try \(attempt): submit still running \(Self.deadline) after the crash")
                continue
            }
            print("submit try \(attempt): exit \(end.status) \(end.took) after the crash: \(command.error.suffix(300))")
            #expect(!end.signalled, "try \(attempt): submit died of a signal (\(end.status)): \(command.error.suffix(500))")
            if end.status != 0 {
                #expect(command.error.split(separator: "\n").count == 1, "try \(attempt): \(command.error.suffix(1000))")
            }
        }
        // Back up: submitting again completes the run, every line exactly once.
        let again = try await BadInvocationTests.invoke(submit, environment: server.environment)
        #expect(again.status == 0, "\(again.error)")
        let counts = try await server.withDatabase { database in
            try await EndToEndTests.count(database, "SELECT count(*) FROM $schema.tasks") * 1_000_000
                + EndToEndTests.count(database, "SELECT count(DISTINCT source_line) FROM $schema.tasks")
        }
        #expect(counts == lines * 1_000_000 + lines)
    }

    /// A free port below the kernel's ephemeral range (32768 and up): other suites hand port 0
    /// to their servers and may close one and open it again later (an endpoint outage), so a
    /// server that restarts here must not take a port that was theirs a moment ago.
    static func quietPort() throws -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: 20_000..<30_000)
            if EmbeddedPostgres.isFree(port) { return port }
        }
        return try EmbeddedPostgres.freePort()
    }

    static func partials(in folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".partial") }
    }
}

extension FileManager {
    static func contentsEqual(_ a: String, _ b: String) -> Bool { FileManager.default.contentsEqual(atPath: a, andPath: b) }
}
