import LLMClient
import Logging
import RateLimiting
import TaskStore
import Workers

/// Builds the rate limiter a worker draws on: shared through PostgreSQL (every worker on every
/// machine with the same key), or in this process only.
enum WorkerAssembly {
    static let version = "0.1.0"

    static func limiter(scope: EndpointOptions.RateScope, key: String, limits: RateLimits, queue: TaskQueue,
                        logger: Logger) async throws -> RateLimiter {
        let budget: any RateBudget = switch scope {
        case .cluster where !limits.isUnlimited: try await PostgresRateBudget.declare(key: key, limits: limits, queue: queue)
        default: LocalRateBudget(limits: limits)
        }
        return RateLimiter(budget: budget, limits: limits, logger: logger)
    }
}
