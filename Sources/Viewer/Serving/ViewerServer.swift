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
        router.add(middleware: AccessGate(token: configuration.accessToken))
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
    private let queue: QueueSchema
    private var latest: (runs: [RunProgress], endpoints: [EndpointStatus], at: ContinuousClock.Instant)?

    init(queue: QueueSchema) { self.queue = queue }

    func current() async throws -> (runs: [RunProgress], endpoints: [EndpointStatus]) {
        if let latest, ContinuousClock.now - latest.at < .seconds(2) { return (latest.runs, latest.endpoints) }
        let runs = try await queue.progress.runProgress()
        let endpoints = try await queue.progress.endpointStatus()
        latest = (runs, endpoints, .now)
        return (runs, endpoints)
    }
}
