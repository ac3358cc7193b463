import LLMClient
import Logging
import Wiring
import RateLimiting
import ServiceLifecycle
import TaskStore
import TreeInstructCore
import Workers

/// Builds the rate limiter a worker draws on: shared through PostgreSQL (every worker on every
/// machine with the same key), or in this process only.
enum WorkerAssembly {
    static let version = "0.1.0"

    static func limiter(
        scope: EndpointOptions.RateScope, key: String, limits: RateLimits, queue: QueueSchema,
        logger: Logger
    ) async throws -> RateLimiter {
        let budget: any RateBudget =
            switch scope {
            case .cluster where !limits.isUnlimited: try await PostgresRateBudget.declare(key: key, limits: limits, queue: queue)
            default: LocalRateBudget(limits: limits)
            }
        return RateLimiter(budget: budget, limits: limits, logger: logger)
    }

    /// A worker over the PostgreSQL task store and the HTTP endpoint.
    static func worker(
        _ configuration: WorkerConfiguration, queue: QueueSchema, client: ChatClient, limiter: RateLimiter,
        logger: Logger
    ) -> Worker {
        Worker(
            configuration: configuration, store: PostgresLeaseStore(queue: queue), health: queue.health, chat: client,
            batchAPI: BatchAPI(provider: client.batches, store: PostgresBatchStore(queue: queue)), limiter: limiter, version: version,
            logger: logger)
    }

    /// Runs `body` (the workers drawing on `limiter`) with the limiter's refill loop beside it.
    static func drawing<Result: Sendable>(on limiter: RateLimiter, _ body: () async throws -> Result) async throws -> Result {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await limiter.run() }
            defer { group.cancelAll() }
            return try await body()
        }
    }
}

extension WorkerAssembly {
    /// Runs `services` (the database pool first, so it stops last) until the last one finishes
    /// or SIGTERM/SIGINT drains them, then shuts the LLM client down either way.
    static func run(_ services: [ServiceGroupConfiguration.ServiceConfiguration], client: ChatClient, logger: Logger) async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                cancellationSignals: [], logger: logger))
        do {
            try await group.run()
        } catch {
            await shutDown(client)
            throw error
        }
        await shutDown(client)
    }

    /// Shuts the HTTP client down, giving it 10 s: its shutdown can wait forever on a connection
    /// backoff to an endpoint that went away (swift-server/async-http-client#419), and a stopping
    /// process must not.
    static func shutDown(_ client: ChatClient) async {
        _ = try? await withDeadline(.seconds(10)) { try await abandoningOnCancel { try await client.shutdown() } }
    }
}
