/// How long an admitted request waits before its answer: a mean with uniform jitter, like a
/// model whose answers take 800 ms ± 400 ms. Zero for speed tests.
public struct LatencyProfile: Sendable, Hashable, CustomStringConvertible {
    public var mean: Duration
    /// Each delay is drawn uniformly from mean ± jitter, never below zero.
    public var jitter: Duration

    public static let none = LatencyProfile(mean: .zero, jitter: .zero)

    public init(mean: Duration, jitter: Duration = .zero) {
        self.mean = mean
        self.jitter = jitter
    }

    public init(milliseconds mean: Int, jitterMilliseconds jitter: Int = 0) {
        self.init(mean: .milliseconds(mean), jitter: .milliseconds(jitter))
    }

    var isZero: Bool { mean == .zero && jitter == .zero }

    /// The delay for a draw `unit` in 0..<1.
    func delay(unit: Double) -> Duration {
        guard jitter != .zero else { return max(mean, .zero) }
        let offset = jitter * (unit * 2 - 1)
        return max(mean + offset, .zero)
    }

    public var description: String {
        isZero ? "no latency" : "latency \(mean.milliseconds) ms ± \(jitter.milliseconds) ms"
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Seconds as a floating-point number.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
