import Foundation
import Wiring
import PostgresTestSupport
import RateLimiting
import TaskStore
import Testing

/// Pacing is checked with lower bounds on elapsed time only (a slow machine can only make
/// them longer), so these tests do not flake on a loaded machine.
@Suite("Rate limiting")
struct RateLimiterTests {
    static func elapsed(_ body: () async throws -> Void) async rethrows -> Double {
        let start = ContinuousClock.now
        try await body()
        let parts = (ContinuousClock.now - start).components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// Runs `body` with the limiters' refill loops running beside it, as a worker does.
    static func running<Result: Sendable>(_ limiters: [RateLimiter], _ body: () async throws -> Result) async throws -> Result {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for limiter in limiters { group.addTask { await limiter.run() } }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    @Test func requestsPerMinuteArePaced() async throws {
        let limits = RateLimits(requestsPerMinute: 1200, burstSeconds: 0.5)  // 20/s, bursts of 10
        let limiter = RateLimiter(budget: LocalRateBudget(limits: limits), limits: limits)
        try await Self.running([limiter]) {
            let seconds = try await Self.elapsed {
                for _ in 0..<30 { _ = try await limiter.acquire(estimatedTokens: 10) }
            }
            #expect(seconds >= 0.9)  // (30 - 10 burst) / 20 per second = 1.0 s at least
            #expect(await limiter.granted == 30)
        }
    }

    @Test func tokensPerMinuteArePaced() async throws {
        let limits = RateLimits(tokensPerMinute: 60_000, burstSeconds: 0.5)  // 1000 tokens/s, bursts of 500
        let limiter = RateLimiter(budget: LocalRateBudget(limits: limits), limits: limits)
        try await Self.running([limiter]) {
            let seconds = try await Self.elapsed {
                for _ in 0..<10 { _ = try await limiter.acquire(estimatedTokens: 200) }
            }
            #expect(seconds >= 1.3)  // (2000 - 500) / 1000 = 1.5 s at least
        }
    }

    /// A call larger than the burst waits for its whole cost, as the provider's bucket makes it
    /// wait (a limiter that let it through at a burst's worth overspent and drew 429s).
    @Test func aCallLargerThanTheBurstWaitsForItsWholeCost() async throws {
        let limits = RateLimits(tokensPerMinute: 60_000, burstSeconds: 0.5)  // 1000 tokens/s, bursts of 500
        let limiter = RateLimiter(budget: LocalRateBudget(limits: limits), limits: limits)
        try await Self.running([limiter]) {
            let seconds = try await Self.elapsed {
                for _ in 0..<3 { _ = try await limiter.acquire(estimatedTokens: 1500) }
            }
            #expect(seconds >= 4.2, "3 × 1500 tokens at 1000/s: 4.5 s, not 1.5 s at a burst's worth each: \(seconds)")
        }
    }

    @Test func aThrottledAnswerPausesEveryone() async throws {
        let limits = RateLimits(requestsPerMinute: 6000)
        let budget = LocalRateBudget(limits: limits)
        let limiter = RateLimiter(budget: budget, limits: limits)
        try await Self.running([limiter]) {
            let permit = try await limiter.acquire(estimatedTokens: 1)
            await limiter.finish(permit, actualTokens: nil, outcome: .throttled(retryAfter: .milliseconds(600)))
            let seconds = try await Self.elapsed { _ = try await limiter.acquire(estimatedTokens: 1) }
            #expect(seconds >= 0.5)
            #expect(await budget.currentFactor == RateLimiter.throttleCut)
            #expect(await limiter.throttled == 1)
        }
    }

    /// A provider that states a lower limit than configured: it becomes the cluster's limit
    /// (a worker that never saw the header keeps to it too), probing back up never climbs past
    /// it, and a later statement at or above the configured limit lifts it.
    @Test(.enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
    func aLowerStatedLimitBecomesTheClustersLimit() async throws {
        let queue = try await TestPostgres.database().queue
        let limits = RateLimits(requestsPerMinute: 1200, burstSeconds: 0.5)  // 20/s configured
        let told = RateLimiter(budget: try await PostgresRateBudget.declare(key: "stated", limits: limits, queue: queue), limits: limits)
        let other = RateLimiter(budget: try await PostgresRateBudget.declare(key: "stated", limits: limits, queue: queue), limits: limits)
        try await Self.running([told, other]) {
            for _ in 0..<25 {  // the statement, then a probe back up (every 20 successes)
                let permit = try await told.acquire(estimatedTokens: 1)
                await told.finish(permit, actualTokens: 1, outcome: .answered(RateLimitSignals(limitRequests: 600)))
            }
            #expect(try await Self.stated(queue) == 600)
            try await Task.sleep(for: .seconds(1))  // the bucket fills to its burst
            let seconds = try await Self.elapsed {
                for _ in 0..<30 { _ = try await other.acquire(estimatedTokens: 1) }
            }
            // At 600/min (10/s, bursts of 5): (30 - 5) / 10 = 2.5 s; at the configured 1200 it would be 1.0 s.
            #expect(seconds >= 2.2, "\(seconds)")
            let permit = try await told.acquire(estimatedTokens: 1)
            await told.finish(permit, actualTokens: 1, outcome: .answered(RateLimitSignals(limitRequests: 1200)))
            #expect(try await Self.stated(queue) == nil, "the provider states the configured limit again")
        }
    }

    static func stated(_ queue: QueueSchema) async throws -> Double? {
        let rows = try await queue.client.query(
            .init(unsafeSQL: "SELECT stated_requests_per_minute FROM \"\(queue.schema)\".rate_budgets WHERE key = 'stated'"))
        for try await value in rows.decode(Double?.self) { return value }
        return -1
    }

    @Test func admissionChargingKeepsMaxTokensAndUsageChargingWhatWasUsed() {
        let guess = TokenGuess(promptTokens: 100, completionTokens: 500)
        #expect(TokenCharging.admission.charged(guess, promptTokens: 120, completionTokens: 40, maxTokens: 500) == 620)
        #expect(TokenCharging.admission.charged(guess, promptTokens: 120, completionTokens: 40, maxTokens: nil) == 160)
        #expect(TokenCharging.usage.charged(guess, promptTokens: 120, completionTokens: 40, maxTokens: 500) == 160)
        #expect(TokenCharging.admission.charged(guess, promptTokens: nil, completionTokens: nil, maxTokens: 500) == nil)
    }

    @Test func anExhaustedProviderBudgetWeDoNotPacePausesUntilItsReset() async throws {
        let limits = RateLimits(requestsPerMinute: 6000)  // no tokens-per-minute limit configured
        let limiter = RateLimiter(budget: LocalRateBudget(limits: limits), limits: limits)
        try await Self.running([limiter]) {
            let permit = try await limiter.acquire(estimatedTokens: 1)
            await limiter.finish(permit, actualTokens: 1, outcome: .answered(RateLimitSignals(remainingTokens: 0, reset: .milliseconds(600))))
            let seconds = try await Self.elapsed { _ = try await limiter.acquire(estimatedTokens: 1) }
            #expect(seconds >= 0.5)
        }
    }

    @Test func aWaiterCanBeCancelled() async throws {
        let limits = RateLimits(requestsPerMinute: 60, burstSeconds: 1)  // buckets start empty: one permit a second
        let limiter = RateLimiter(budget: LocalRateBudget(limits: limits), limits: limits)
        try await Self.running([limiter]) {
            _ = try await limiter.acquire(estimatedTokens: 1)
            let waiter = Task { try await limiter.acquire(estimatedTokens: 1) }
            try await Task.sleep(for: .milliseconds(100))
            waiter.cancel()
            await #expect(throws: CancellationError.self) { try await waiter.value }
        }
    }

    @Test(.enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
    func workersShareOneBudgetThroughPostgres() async throws {
        let queue = try await TestPostgres.database().queue
        let limits = RateLimits(requestsPerMinute: 1200, burstSeconds: 0.5)
        let budgets = [
            try await PostgresRateBudget.declare(key: "shared", limits: limits, queue: queue),
            try await PostgresRateBudget.declare(key: "shared", limits: limits, queue: queue),
        ]
        let limiters = budgets.map { RateLimiter(budget: $0, limits: limits) }
        try await Self.running(limiters) {
            let seconds = try await Self.elapsed {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for limiter in limiters {
                        group.addTask { for _ in 0..<20 { _ = try await limiter.acquire(estimatedTokens: 1) } }
                    }
                    try await group.waitForAll()
                }
            }
            // 40 permits from one budget of 20/s with bursts of 10: 1.5 s at least, whoever asks.
            #expect(seconds >= 1.35)
            #expect(try await grantedRequests(queue) == 40)
        }
    }

    @Test(.enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
    func aThrottleInOneWorkerSlowsTheOthers() async throws {
        let queue = try await TestPostgres.database().queue
        let limits = RateLimits(requestsPerMinute: 6000)
        let first = RateLimiter(budget: try await PostgresRateBudget.declare(key: "k", limits: limits, queue: queue), limits: limits)
        let second = RateLimiter(budget: try await PostgresRateBudget.declare(key: "k", limits: limits, queue: queue), limits: limits)
        try await Self.running([first, second]) {
            let permit = try await first.acquire(estimatedTokens: 1)
            // Timed from before the throttle is recorded: however long that write takes on a
            // loaded machine, the second worker's permit comes 600 ms after it started at the earliest.
            let seconds = try await Self.elapsed {
                await first.finish(permit, actualTokens: nil, outcome: .throttled(retryAfter: .milliseconds(600)))
                _ = try await second.acquire(estimatedTokens: 1)
            }
            #expect(seconds >= 0.55)
        }
    }

    func grantedRequests(_ queue: QueueSchema) async throws -> Int {
        let rows = try await queue.client.query("SELECT granted_requests FROM \(unescaped: "\"\(queue.schema)\"").rate_budgets WHERE key = 'shared'")
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
