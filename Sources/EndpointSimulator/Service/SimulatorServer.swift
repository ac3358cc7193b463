import Hummingbird
import Logging
import ServiceLifecycle

/// The simulator as a swift-service-lifecycle `Service`: run it in a `ServiceGroup` (or call
/// `run()` in a task) and ask ``boundPort()`` where it listens, which matters when the
/// configuration says port 0. Stops on graceful shutdown or cancellation; hung requests end
/// at once then.
public struct SimulatorServer: Service {
    public let configuration: SimulatorConfiguration
    private let logger: Logger
    private let port = BoundPort()

    /// - Parameter logger: receives Hummingbird's start line and errors; never the API key.
    public init(configuration: SimulatorConfiguration, logger: Logger = Logger(label: "treeinstruct.sim")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Serves until shutdown. Call it once per value.
    public func run() async throws {
        if let problem = configuration.faults.problem ?? configuration.batch.problem {
            let error = SimulatorError.invalidConfiguration(problem)
            await port.fail(error)
            throw error
        }
        let seed = configuration.seed ?? UInt64.random(in: .min ... .max)
        let state = SimulatorState(configuration: configuration, seed: seed)
        let router = SimulatorRoutes.router(configuration: configuration, state: state, seed: seed)
        let port = self.port
        let application = Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [DisconnectWatch()])),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
            onServerRunning: { channel in await port.report(channel.localAddress?.port) },
            logger: logger
        )
        do {
            try await application.run()
        } catch {
            await port.fail(error)
            throw error
        }
        await port.fail(SimulatorError.stopped)
    }

    /// The port the server listens on, once it does; throws if it failed to start or stopped.
    public func boundPort() async throws -> Int {
        try await port.value()
    }
}

/// Why the simulator could not serve.
public enum SimulatorError: Error, Sendable, CustomStringConvertible {
    case invalidConfiguration(String)
    case stopped
    case noPort

    public var description: String {
        switch self {
        case .invalidConfiguration(let problem): "invalid simulator configuration: \(problem)"
        case .stopped: "the simulator has stopped"
        case .noPort: "the simulator's channel has no local port"
        }
    }
}
