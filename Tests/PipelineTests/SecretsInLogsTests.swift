import EmbeddedPostgres
import EndpointSimulator
import Foundation
import PostgresTestSupport
import TaskStore
import TestCorpora
import Testing

/// Every command, at trace level, as users run it: neither the database password nor the API
/// key appears in anything it prints, whether the password comes from PGPASSWORD or from a
/// DATABASE_URL, and whether the command succeeds or fails.
@Suite("Secrets in logs", .serialized, .enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
struct SecretsInLogsTests {
    @Test func traceOutputOfEveryCommandHoldsNoSecret() async throws {
        let database = try await TestPostgres.database(migrate: false)
        let password = try #require(database.settings.password)
        let key = "sk-trace-\(UUID().uuidString)"
        let schema = database.schema
        let corpus = TestCorpora.path("self-instruct-seed-175.jsonl")
        let folder = NSTemporaryDirectory() + "secrets-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }

        var simulator = SimulatorConfiguration(port: 0)
        simulator.apiKey = key
        try await SimulatorServer.withRunning(simulator, logger: EndToEndTests.quiet) { baseURL in
            var environment = WorkerProcess.environment(database.settings)
            environment["TREEINSTRUCT_LOG_LEVEL"] = "trace"
            environment["OPENAI_BASE_URL"] = baseURL
            environment["OPENAI_API_KEY"] = key
            // The same database through a URL carrying the password.
            var viaURL = environment
            for variable in ["PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE"] { viaURL[variable] = nil }
            let settings = database.settings
            viaURL["DATABASE_URL"] = "postgres://\(settings.user):\(password)@\(settings.host):\(settings.port)/\(settings.database)?sslmode=disable"
            var wrongPassword = environment
            wrongPassword["PGPASSWORD"] = password + "-wrong"

            let commands: [(arguments: [String], environment: [String: String], succeeds: Bool)] = [
                (["migrate", "--schema", schema], environment, true),
                (["submit", "--schema", schema, "--corpus", corpus, "--run", "secrets"], viaURL, true),
                (["inspect", "--corpus", corpus], environment, true),
                (["status", "--schema", schema], environment, true),
                (["status", "--schema", schema, "--run", "secrets", "--shards", "--json"], viaURL, true),
                (["work", "--schema", schema, "--exit-when-done", "--concurrency", "8", "--rate-scope", "local"], environment, true),
                (["export", "--schema", schema, "--run", "secrets", "--output", folder + "/out.jsonl", "--lineage"], viaURL, true),
                (["cancel", "--schema", schema, "--run", "secrets"], environment, true),
                (["rerun", "--schema", schema, "--run", "secrets", "--all"], viaURL, true),
                (["cancel", "--schema", schema, "--run", "secrets"], viaURL, true),
                (["status", "--schema", schema], wrongPassword, false),
                (["export", "--schema", schema, "--run", "nosuch"], viaURL, false),
            ]
            var total = 0
            for command in commands {
                let outcome = try await BadInvocationTests.invoke(command.arguments, environment: command.environment)
                let printed = outcome.output + outcome.error
                let name = command.arguments.prefix(2).joined(separator: " ")
                #expect((outcome.status == 0) == command.succeeds, "\(name) exited \(outcome.status): \(outcome.error.suffix(500))")
                #expect(!printed.contains(password), "\(name) printed the database password")
                #expect(!printed.contains(key), "\(name) printed the API key")
                total += printed.utf8.count
            }
            // Trace level really was on: the commands said a great deal.
            #expect(total > 50_000, "only \(total) bytes at trace level")
        }
    }

    /// `local` with its private PostgreSQL: that server's generated password stays in its data
    /// directory (mode 0600), out of everything the command prints at trace level.
    @Test func localAtTraceLevelKeepsItsServersPassword() async throws {
        let folder = NSTemporaryDirectory() + "secrets-local-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer {
            // Blocking (a defer cannot wait), and only here, as the test ends.
            _ = try? ChildProcess.run(
                [WorkerProcess.executable, "postgres", "stop", "--data-dir", folder + "/pg"], environment: [:], outputPath: folder + "/stop.log")
            try? FileManager.default.removeItem(atPath: folder)
        }
        var environment = ProcessInfo.processInfo.environment
        for variable in ["DATABASE_URL", "DATABASE_URL_FILE", "PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE"] {
            environment[variable] = nil
        }
        environment["TREEINSTRUCT_LOG_LEVEL"] = "trace"
        let outcome = try await BadInvocationTests.invoke(
            [
                "local", "--corpus", TestCorpora.path("self-instruct-seed-175.jsonl"), "--simulate", "--rounds", "1", "--no-respond",
                "--data-dir", folder + "/pg", "--output", folder + "/out.jsonl",
            ], environment: environment)
        #expect(outcome.status == 0, "\(outcome.error.suffix(1000))")
        let password = try String(contentsOfFile: folder + "/pg/treeinstruct.password", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(password.count >= 16)
        #expect(!(outcome.output + outcome.error).contains(password), "local printed its server's password")
        #expect(outcome.error.utf8.count > 10_000, "trace level should say a lot")
    }
}
