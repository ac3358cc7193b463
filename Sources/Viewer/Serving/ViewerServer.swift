import Hummingbird
import Logging
import ServiceLifecycle
import TaskStore

/// `treeinstruct serve`: a read-only web viewer over the task store, as a Service. With the
/// monitor role it shows progress (runs, a run's shards, failures, workers); texts and rows
/// need the coordinator role, and a page that needs them says so when the role cannot read them.
public struct ViewerServer: Service {
    public let configuration: ViewerConfiguration
    private let queue: QueueSchema
    private let logger: Logger
    private let onListening: @Sendable (Int) async -> Void

    /// - Parameter onListening: told the port once the server listens (configuration port 0
    ///   picks one).
    public init(
        configuration: ViewerConfiguration, queue: QueueSchema, logger: Logger, onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.queue = queue
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let router = Router()
        router.add(middleware: ResponseHeaders())
        router.add(middleware: AccessGate(token: configuration.accessToken, boundHost: configuration.host))
        ViewerRoutes(queue: queue, configuration: configuration, progress: ProgressCache(queue: queue), logger: logger).register(on: router)
        let onListening = onListening
        let application = Application(
            router: router, configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "treeinstruct"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) }, logger: logger)
        try await application.run()
    }
}

/// Runs' progress and the endpoints' state, read at most every two seconds however many pages
/// and live refreshes ask: run_progress counts every task, which a viewer left open in a few
/// browsers must not do several times a second.
actor ProgressCache {
    typealias Snapshot = (runs: [RunProgress], endpoints: [EndpointStatus])
    private let queue: QueueSchema
    private var latest: (snapshot: Snapshot, at: ContinuousClock.Instant)?
    /// Callers that came while a read was under way: they get its outcome, not a read of their own.
    private var waiting: [CheckedContinuation<Snapshot, any Error>]?

    init(queue: QueueSchema) { self.queue = queue }

    func current() async throws -> Snapshot {
        if let latest, ContinuousClock.now - latest.at < .seconds(2) { return latest.snapshot }
        if waiting != nil { return try await withCheckedThrowingContinuation { waiting?.append($0) } }
        waiting = []
        let outcome: Result<Snapshot, any Error>
        do {
            outcome = .success((try await queue.progress.runProgress(), try await queue.progress.endpointStatus()))
        } catch { outcome = .failure(error) }
        if case .success(let snapshot) = outcome { latest = (snapshot, .now) }
        for waiter in waiting ?? [] { waiter.resume(with: outcome) }
        waiting = nil
        return try outcome.get()
    }
}
