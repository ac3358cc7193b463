import Coordinator
import CorpusIngest
import EmbeddedPostgres
import Foundation
import PostgresNIO
import PostgresTestSupport
import TaskStore
import TestCorpora
import Testing
import TreeInstructCore

/// Bad invocations as new users make them: each must end with its exit code and one line on
/// standard error naming the option, value or name, print nothing on standard output, and leave
/// the database as it was (row counts of every table, and no schema created).
@Suite("Bad invocations", .serialized, .enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
struct BadInvocationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var exitCode: Int32
        /// Fragments the error line must contain.
        var says: [String]
        var environment: [String: String] = [:]
        /// Use the schema's connection settings (false: the case sets its own environment).
        var connected = true
        var testDescription: String { arguments.joined(separator: " ").prefix(80) + " → \(exitCode)" }
    }

    static let work = ["OPENAI_BASE_URL": "http://127.0.0.1:9/v1"]
    static let scratch = NSTemporaryDirectory() + "treeinstruct-bad-\(UUID().uuidString.prefix(8))"

    static let cases: [Case] = [
        Case(
            arguments: ["submit", "--corpus", "C", "--run", "r", "--temperature", "-1"], exitCode: 64,
            says: ["--temperature must be between 0.0 and 2.0, got -1.0"]),
        Case(arguments: ["submit", "--corpus", "C", "--run", "r", "--temperature", "nan"], exitCode: 64, says: ["--temperature", "got nan"]),
        Case(arguments: ["submit", "--corpus", "C", "--run", "r", "--max-tokens", "0"], exitCode: 64, says: ["--max-tokens", "got 0"]),
        Case(arguments: ["submit", "--corpus", "C", "--run", "r", "--shard-size", "0"], exitCode: 64, says: ["--shard-size", "got 0"]),
        Case(
            arguments: ["submit", "--corpus", "C", "--run", "r", "--nodes", "1000000"], exitCode: 64,
            says: ["--nodes must be between 1 and 50, got 1000000"]),
        Case(
            arguments: ["submit", "--corpus", "C", "--run", "r", "--nodes", "-1"], exitCode: 64, says: ["--nodes must be between 1 and 50, got -1"]),
        Case(arguments: ["submit", "--corpus", "C", "--run", "r", "--rounds", "0"], exitCode: 64, says: ["--rounds", "got 0"]),
        Case(
            arguments: ["submit", "--corpus", "C", "--run", "r", "--max-words", "5", "--min-added-words", "12"], exitCode: 64,
            says: ["--max-words 5 leaves no room", "12 words"]),
        Case(arguments: ["submit", "--corpus", "C", "--run", ""], exitCode: 64, says: ["--run", "must not be empty"]),
        Case(
            arguments: ["submit", "--corpus", "C", "--run", String(repeating: "n", count: 10_000)], exitCode: 64,
            says: ["--run", "at most 128 characters, got 10000"]),
        Case(arguments: ["submit", "--corpus", "C", "--run", "two\nlines"], exitCode: 64, says: ["--run", "printable", "U+000A"]),
        Case(arguments: ["submit", "--corpus", "C", "--run", "clear\u{1B}[2J"], exitCode: 64, says: ["--run", "printable", "U+001B"]),
        Case(arguments: ["submit", "--corpus", "C", "--run", "r", "--bogus"], exitCode: 64, says: ["--bogus", "treeinstruct submit --help"]),
        Case(arguments: ["submit", "--corpus", scratch + "/missing.jsonl", "--run", "r"], exitCode: 66, says: ["missing.jsonl"]),
        Case(arguments: ["submit", "--corpus", scratch, "--run", "r"], exitCode: 66, says: ["is a directory"]),
        Case(arguments: ["submit", "--corpus", scratch + "/random.bin", "--run", "r"], exitCode: 65, says: ["random.bin", "binary"]),
        Case(arguments: ["work", "--concurrency", "0"], exitCode: 64, says: ["--concurrency must be between 1 and 4096, got 0"], environment: work),
        Case(
            arguments: ["work"], exitCode: 64, says: ["TREEINSTRUCT_CONCURRENCY must be between 1 and 4096, got 0"],
            environment: work.merging(["TREEINSTRUCT_CONCURRENCY": "0"]) { $1 }),
        Case(arguments: ["work", "--lease-seconds", "0"], exitCode: 64, says: ["--lease-seconds", "got 0.0"], environment: work),
        Case(arguments: ["work", "--grace", "-1"], exitCode: 64, says: ["--grace", "got -1.0"], environment: work),
        Case(arguments: ["work", "--rpm", "0"], exitCode: 64, says: ["--rpm must be between", "got 0.0"], environment: work),
        Case(
            arguments: ["work"], exitCode: 64, says: ["OPENAI_BASE_URL must be an http:// or https:// URL", "localhost:8000/v1"],
            environment: ["OPENAI_BASE_URL": "localhost:8000/v1"]),
        Case(
            arguments: ["submit", "--corpus", "C", "--run", "existing", "--nodes", "4"], exitCode: 64,
            says: ["run \"existing\" exists with another configuration"]),
        Case(arguments: ["work", "--run", "nosuch"], exitCode: 66, says: ["no run named \"nosuch\"", "existing"], environment: work),
        Case(arguments: ["status", "--run", "nosuch"], exitCode: 66, says: ["no run named \"nosuch\"", "runs: other, existing"]),
        Case(arguments: ["status"], exitCode: 64, says: ["TREEINSTRUCT_LOG_LEVEL", "\"loud\""], environment: ["TREEINSTRUCT_LOG_LEVEL": "loud"]),
        Case(arguments: ["status", "--interval", "0"], exitCode: 64, says: ["--interval", "got 0.0"]),
        Case(arguments: ["rerun", "--run", "existing", "--shard", "999999"], exitCode: 66, says: ["has no shard 999999"]),
        Case(arguments: ["rerun", "--run", "existing", "--shard", "OTHER_SHARD"], exitCode: 66, says: ["run \"existing\" has no shard"]),
        Case(arguments: ["rerun", "--run", "nosuch"], exitCode: 66, says: ["no run named \"nosuch\""]),
        Case(arguments: ["cancel", "--run", "nosuch"], exitCode: 66, says: ["no run named \"nosuch\""]),
        Case(arguments: ["export", "--run", "nosuch", "--output", scratch + "/out.jsonl"], exitCode: 66, says: ["no run named \"nosuch\""]),
        Case(
            arguments: ["export", "--run", "existing", "--min-difficulty", "-1", "--output", scratch + "/out.jsonl"], exitCode: 64,
            says: ["--min-difficulty must be between 0 and", "got -1"]),
        Case(arguments: ["status", "--schema", "never_migrated"], exitCode: 78, says: ["never_migrated", "run `treeinstruct migrate`"]),
        Case(arguments: ["status", "--schema", "Bad-Name"], exitCode: 64, says: ["--schema", "Bad-Name"]),
        Case(
            arguments: ["local", "--corpus", "C", "--simulate", "--workers", "0", "--data-dir", scratch + "/pg"], exitCode: 64,
            says: ["--workers", "got 0"]),
        Case(arguments: ["postgres", "start", "--port", "0", "--data-dir", scratch + "/pg"], exitCode: 64, says: ["--port", "got 0"]),
    ]

    static func prepareScratch() throws {
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<65_536).map { _ in UInt8.random(in: 0...255, using: &generator) }
        _ = FileManager.default.createFile(atPath: scratch + "/random.bin", contents: Data(noise))
    }

    struct Outcome { var status: Int32; var output: String; var error: String }

    /// Runs `treeinstruct` (or `program`, when the arguments name it) to its end.
    static func invoke(_ arguments: [String], environment: [String: String], program: String? = WorkerProcess.executable) async throws -> Outcome {
        let out = NSTemporaryDirectory() + "treeinstruct-cli-\(UUID().uuidString).out"
        defer { try? FileManager.default.removeItem(atPath: out); try? FileManager.default.removeItem(atPath: out + ".err") }
        let status = try await ChildProcess.finished(
            (program.map { [$0] } ?? []) + arguments, environment: environment, outputPath: out, errorPath: out + ".err")
        return Outcome(
            status: status, output: try String(contentsOfFile: out, encoding: .utf8),
            error: try String(contentsOfFile: out + ".err", encoding: .utf8))
    }

    static func counts(_ database: Database) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in ["runs", "shards", "tasks", "results", "attempts", "ingest_errors", "workers", "schema_migrations"] {
            counts[table] = try await EndToEndTests.count(database, "SELECT count(*) FROM $schema.\(table)")
        }
        // Other suites create schemas meanwhile: only the one named by a case must not appear.
        counts["never_migrated"] = try await EndToEndTests.count(database, "SELECT count(*) FROM pg_namespace WHERE nspname = 'never_migrated'")
        return counts
    }

    @Test func eachIsOneLineAnExitCodeAndNoChange() async throws {
        try Self.prepareScratch()
        defer { try? FileManager.default.removeItem(atPath: Self.scratch) }
        let database = try await TestPostgres.database()
        let config = RunConfig(model: "treeinstruct-simulator")
        _ = try await Submission(queue: database.queue).submit(
            CorpusFile(path: TestCorpora.path("self-instruct-seed-175.jsonl")),
            runName: "existing", config: config)
        // A second run, whose shard must not be reachable through the first.
        _ = try await Submission(queue: database.queue).submit(
            CorpusFile(path: TestCorpora.path("alpaca-gpt4-1k.jsonl")),
            runName: "other", config: RunConfig(rewrite: RewriteSettings(maxWords: 250), model: "m"))
        let otherShard = try await EndToEndTests.count(
            database,
            """
            SELECT min(s.id) FROM $schema.shards s JOIN $schema.runs r ON r.id = s.run_id WHERE r.name = 'other'
            """)
        let before = try await Self.counts(database)
        let corpus = TestCorpora.path("self-instruct-seed-175.jsonl")
        for testCase in Self.cases {
            var environment = WorkerProcess.environment(database.settings)
            environment["TREEINSTRUCT_SCHEMA"] = database.schema
            environment.merge(testCase.environment) { $1 }
            let arguments = testCase.arguments.map { $0 == "C" ? corpus : $0 == "OTHER_SHARD" ? String(otherShard) : $0 }
            let outcome = try await Self.invoke(arguments, environment: environment)
            let lines = outcome.error.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(outcome.status == testCase.exitCode, "\(testCase.testDescription): exit \(outcome.status), stderr \(outcome.error)")
            #expect(lines.count == 2 && lines[1].isEmpty, "\(testCase.testDescription): stderr is not one line: \(outcome.error)")
            #expect(outcome.error.hasPrefix("error: "), "\(testCase.testDescription): \(outcome.error)")
            #expect(outcome.error.count < 600, "\(testCase.testDescription): \(outcome.error.count) characters")
            #expect(!outcome.error.contains("\u{1B}"), "\(testCase.testDescription): an escape sequence reached the terminal")
            for fragment in testCase.says {
                #expect(outcome.error.contains(fragment), "\(testCase.testDescription): \"\(fragment)\" not in \(outcome.error)")
            }
            #expect(outcome.output.isEmpty, "\(testCase.testDescription): printed \(outcome.output.prefix(300))")
        }
        #expect(try await Self.counts(database) == before)
        #expect(!FileManager.default.fileExists(atPath: Self.scratch + "/out.jsonl"), "export created its output for a missing run")
        #expect(!FileManager.default.fileExists(atPath: Self.scratch + "/pg"), "a private PostgreSQL was started for a bad invocation")
    }

    /// A port already taken is named, for the simulator and for a worker's metrics.
    @Test func busyPortsAreNamed() async throws {
        let settings = try await TestPostgres.settings()
        let taken = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(taken) }
        var address = sockaddr_in(
            sin_family: sa_family_t(AF_INET), sin_port: 0, sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                guard bind(taken, $0, length) == 0, listen(taken, 1) == 0, getsockname(taken, $0, &length) == 0 else {
                    throw SocketFailure()
                }
            }
        }
        let port = String(UInt16(bigEndian: address.sin_port))
        let sim = try await Self.invoke(["sim", "--port", port], environment: WorkerProcess.environment(settings))
        #expect(sim.status == 69 && sim.error.contains("127.0.0.1:\(port)") && sim.error.contains("already in use"), "\(sim.error)")
        #expect(sim.error.split(separator: "\n").count == 1)
    }

    struct SocketFailure: Error {}

    /// Connection problems name their fix: no settings at all, or no password.
    @Test func connectionErrorsSayWhatToDo() async throws {
        let settings = try await TestPostgres.settings()
        var bare = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") && !$0.key.hasPrefix("DATABASE_URL") }
        bare["HOME"] = NSTemporaryDirectory()  // no ~/.pgpass
        bare["PGHOST"] = nil
        let noSettings = try await Self.invoke(["status"], environment: bare.merging(["PGCONNECT_TIMEOUT": "3"]) { $1 })
        #expect(noSettings.status == 69, "\(noSettings.error)")
        #expect(noSettings.error.contains("DATABASE_URL") && noSettings.error.contains("PGHOST"), "\(noSettings.error)")
        #expect(noSettings.error.split(separator: "\n").count == 1)

        var noPassword = WorkerProcess.environment(settings)
        noPassword["PGPASSWORD"] = nil
        noPassword["HOME"] = NSTemporaryDirectory()
        let refused = try await Self.invoke(["status"], environment: noPassword)
        #expect(refused.status == 69, "\(refused.error)")
        #expect(refused.error.contains("PGPASSWORD") && refused.error.contains(".pgpass"), "\(refused.error)")
        #expect(!refused.error.contains("Generic description"), "\(refused.error)")
    }
}
