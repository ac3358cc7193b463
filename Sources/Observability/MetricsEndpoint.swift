import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import Synchronization

/// Serves Prometheus metrics, `/healthz` (alive) and `/readyz` (ready for work) on one port, as a
/// service beside the worker, for Kubernetes probes and Prometheus scrapes.
public struct MetricsEndpoint: Service {
    public let host: String
    public let port: Int
    public let readiness: Readiness
    private let registry: PrometheusCollectorRegistry
    private let logger: Logger

    /// Installs the Prometheus metrics backend for this process (once; later calls reuse it).
    public init(host: String = "0.0.0.0", port: Int, readiness: Readiness, logger: Logger) {
        self.host = host
        self.port = port
        self.readiness = readiness
        self.registry = MetricsBootstrap.registry()
        self.logger = logger
    }

    public func run() async throws {
        let router = Router()
        let registry = registry
        let readiness = readiness
        router.get("metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("healthz") { _, _ in "ok\n" }
        router.get("readyz") { _, _ -> Response in
            let (ready, reason) = readiness.current
            return Response(status: ready ? .ok : .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: reason + "\n")))
        }
        let application = Application(router: router, configuration: .init(address: .hostname(host, port: port)), logger: logger)
        try await application.run()
    }
}

/// The process-wide registry: MetricsSystem may be bootstrapped only once.
enum MetricsBootstrap {
    private static let shared = Mutex<PrometheusCollectorRegistry?>(nil)

    static func registry() -> PrometheusCollectorRegistry {
        shared.withLock { existing in
            if let existing { return existing }
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            existing = registry
            return registry
        }
    }
}
