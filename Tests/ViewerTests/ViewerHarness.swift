import AsyncHTTPClient
import Coordinator
import CorpusIngest
import Foundation
import Logging
import NIOCore
import PostgresTestSupport
import ServiceLifecycle
import TaskStore
import Testing
import TreeInstructCore
import Viewer

/// A viewer on a loopback port over a test schema, and an HTTP client that reads its pages.
enum ViewerHarness {
    static let quiet: Logger = {
        var logger = Logger(label: "viewer-test")
        logger.logLevel = .critical
        return logger
    }()

    struct Page {
        var status: Int
        var headers: [(String, String)]
        var body: String

        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    /// Runs a viewer over `queue` with `configuration` (its port replaced by a free one) while
    /// `body` reads pages with `get(path, headers)`.
    static func withViewer<T: Sendable>(
        _ queue: QueueSchema, _ configuration: ViewerConfiguration = .init(),
        _ body: @Sendable (_ get: @Sendable (String, [(String, String)]) async throws -> Page) async throws -> T
    ) async throws -> T {
        var configuration = configuration
        configuration.port = 0
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let server = ViewerServer(configuration: configuration, queue: queue, logger: quiet) { port in portSink.yield(port) }
        let group = ServiceGroup(services: [server], logger: quiet)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            let result: Result<T, any Error>
            do {
                result = .success(
                    try await body { path, headers in
                        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
                        for (name, value) in headers { request.headers.add(name: name, value: value) }
                        let response = try await client.execute(request, timeout: .seconds(30))
                        let bytes = try await response.body.collect(upTo: 16 << 20)
                        return Page(
                            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                            body: String(buffer: bytes))
                    })
            } catch { result = .failure(error) }
            try await client.shutdown()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }

    /// Submits `rows` (instruction, input) as run `name` and returns the run.
    static func submit(_ database: Database, _ name: String, _ rows: [(String, String)], rounds: Int = 1) async throws -> RunRecord {
        let corpus = NSTemporaryDirectory() + "viewer-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: corpus) }
        let lines = try rows.map { row in
            String(decoding: try JSONSerialization.data(withJSONObject: ["instruction": row.0, "input": row.1, "output": ""]), as: UTF8.self)
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: corpus, atomically: true, encoding: .utf8)
        let config = RunConfig(rewrite: RewriteSettings(nodesToAdd: 2, maxWords: 250), rounds: rounds, respond: false, model: "m", maxAttempts: 1)
        _ = try await Submission(queue: database.queue).submit(CorpusFile(path: corpus), runName: name, config: config)
        return try #require(try await database.queue.runs.findRun(named: name))
    }

    /// How `finish` ends a task.
    enum Ending {
        case accepted(AcceptedRewrite)
        case failed(AttemptFailure)
    }

    /// Claims every pending task of the run and ends each as `outcome` says: accepted with the
    /// rewrite it returns, or failed with a code.
    static func finish(
        _ database: Database, _ run: RunRecord, _ outcome: @Sendable (ClaimedTask) -> Ending
    ) async throws {
        let leases = database.queue.leases
        while true {
            let claimed = try await leases.claimTasks(workerID: "viewer-test", limit: 100, lease: .seconds(60), runIDs: [run.id])
            if claimed.isEmpty { return }
            for task in claimed {
                switch outcome(task) {
                case .accepted(let rewrite):
                    let output = TaskOutput.rewrite(rewrite)
                    _ = try await leases.complete(
                        task, workerID: "viewer-test", output: output, followUp: FollowUp.after(task, output: output, config: run.config),
                        difficulty: 2 * task.round, report: CallReport(model: "m"))
                case .failed(let failure):
                    _ = try await leases.fail(task, workerID: "viewer-test", failure: failure, retryDelay: .zero, report: CallReport())
                }
            }
        }
    }
}
