/// When to try again: exponential backoff with full jitter (a uniformly random delay between
/// zero and the exponential cap), which spreads retries of many workers apart instead of
/// bunching them into synchronized waves.
public struct Backoff: Sendable, Hashable, Codable {
    /// Cap of the first retry's delay, in seconds.
    public var baseSeconds: Double
    /// No delay exceeds this, in seconds.
    public var maxSeconds: Double

    public init(baseSeconds: Double = 2, maxSeconds: Double = 300) {
        self.baseSeconds = baseSeconds
        self.maxSeconds = maxSeconds
    }

    /// The ceiling of the delay after the `attempt`-th failure (1-based): base × 2^(attempt−1), capped.
    public func ceiling(afterAttempt attempt: Int) -> Double {
        let exponent = Double(max(0, min(attempt - 1, 62)))
        return min(maxSeconds, baseSeconds * pow2(exponent))
    }

    /// A delay drawn uniformly from [0, ceiling].
    public func delay(afterAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Double {
        Double.random(in: 0...ceiling(afterAttempt: attempt), using: &generator)
    }

    public func delay(afterAttempt attempt: Int) -> Double {
        var generator = SystemRandomNumberGenerator()
        return delay(afterAttempt: attempt, using: &generator)
    }

    private func pow2(_ exponent: Double) -> Double {
        var value = 1.0
        for _ in 0..<Int(exponent) { value *= 2 }
        return value
    }
}
