/// When to try again: exponential backoff with full jitter (a uniformly random delay between
/// zero and the exponential cap), which spreads retries of many workers apart instead of
/// bunching them into synchronized waves.
public struct Backoff: Sendable, Hashable {
    /// Cap of the first retry's delay (default 2 s).
    public var base: Duration
    /// No delay exceeds this (default 300 s).
    public var max: Duration

    public init(base: Duration = .seconds(2), max: Duration = .seconds(300)) {
        self.base = base
        self.max = max
    }

    /// The ceiling of the delay after the `attempt`-th failure (1-based): base × 2^(attempt−1), capped.
    public func ceiling(afterAttempt attempt: Int) -> Duration {
        let doublings = Swift.max(0, Swift.min(attempt - 1, 62))
        var ceiling = base
        for _ in 0..<doublings {
            ceiling *= 2
            if ceiling >= max { return max }
        }
        return Swift.min(max, ceiling)
    }

    /// A delay drawn uniformly from [0, ceiling].
    public func delay(afterAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        .seconds(Double.random(in: 0...ceiling(afterAttempt: attempt).inSeconds, using: &generator))
    }

    public func delay(afterAttempt attempt: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(afterAttempt: attempt, using: &generator)
    }
}
