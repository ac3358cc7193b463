import EmbeddedPostgres
import Foundation
import TaskStore

/// A real `treeinstruct work` process, as users run it, pointed at the test database and an
/// endpoint. Its credentials travel in the environment, never in its arguments.
final class WorkerProcess: @unchecked Sendable {
    let process = Process()
    let logPath: String

    static var executable: String {
        // The test bundle sits in the build folder next to the executable.
        let bundle = Bundle.main.bundleURL.path.contains(".xctest") ? Bundle.main.bundleURL : URL(fileURLWithPath: CommandLine.arguments[0])
        var folder = bundle.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("treeinstruct").path), folder.path != "/" {
            folder.deleteLastPathComponent()
        }
        return folder.appendingPathComponent("treeinstruct").path
    }

    init(
        settings: DatabaseSettings, schema: String, baseURL: String, apiKey: String = "sk-test-secret-key",
        arguments: [String], logLevel: String = "notice"
    ) throws {
        logPath = NSTemporaryDirectory() + "worker-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["work", "--schema", schema, "--rate-scope", "local"] + arguments
        var environment = Self.environment(settings)
        environment["OPENAI_BASE_URL"] = baseURL
        environment["OPENAI_API_KEY"] = apiKey
        environment["TREEINSTRUCT_LOG_LEVEL"] = logLevel
        process.environment = environment
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    /// The test database in libpq's variables, the way users pass it.
    static func environment(_ settings: DatabaseSettings) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = nil
        environment["PGHOST"] = settings.host
        environment["PGPORT"] = String(settings.port)
        environment["PGUSER"] = settings.user
        environment["PGPASSWORD"] = settings.password
        environment["PGDATABASE"] = settings.database
        environment["PGSSLMODE"] = "disable"
        return environment
    }

    /// Runs a short `treeinstruct` command to its end and returns what it printed on standard output.
    static func runCLI(_ arguments: [String], settings: DatabaseSettings) async throws -> String {
        let output = NSTemporaryDirectory() + "cli-\(UUID().uuidString).out"
        defer { try? FileManager.default.removeItem(atPath: output); try? FileManager.default.removeItem(atPath: output + ".err") }
        _ = try await ChildProcess.finished(
            [executable] + arguments, environment: environment(settings), outputPath: output, errorPath: output + ".err")
        return try String(contentsOfFile: output, encoding: .utf8)
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func terminate() { process.terminate() }
    func kill() { Foundation.kill(process.processIdentifier, SIGKILL) }

    /// Waits for the process to end, at most `seconds`; returns its exit status, or nil if it is still running.
    func wait(seconds: Double) async -> Int32? {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        return process.isRunning ? nil : process.terminationStatus
    }

    deinit {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: logPath)
    }
}
