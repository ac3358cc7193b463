/// One per-minute limit as a token bucket: refilled continuously at limit/60 per second,
/// holding at most limit × burstSeconds/60. A cost above the capacity is admitted when the
/// bucket is full and leaves it in debt, so a small limit still lets every request through at
/// its average rate rather than never.
struct TokenBucket: Sendable {
    let limitPerMinute: Int
    let capacity: Double
    let refillPerSecond: Double
    private(set) var level: Double
    private var updatedAt: Double

    init(limitPerMinute: Int, burstSeconds: Double, now: Double) {
        self.limitPerMinute = limitPerMinute
        refillPerSecond = Double(limitPerMinute) / 60
        capacity = max(Double(limitPerMinute) * burstSeconds / 60, .leastNonzeroMagnitude)
        level = capacity
        updatedAt = now
    }

    mutating func refill(now: Double) {
        guard now > updatedAt else { return }
        level = min(capacity, level + (now - updatedAt) * refillPerSecond)
        updatedAt = now
    }

    /// Seconds until `cost` can be taken (0 when it can be now).
    func wait(for cost: Double) -> Double {
        let needed = min(cost, capacity)
        guard level < needed else { return 0 }
        return refillPerSecond > 0 ? (needed - level) / refillPerSecond : .infinity
    }

    mutating func take(_ cost: Double) {
        level -= cost
    }

    /// What the rate-limit headers report.
    var status: BucketStatus {
        let missing = max(0, capacity - level)
        return BucketStatus(
            limit: limitPerMinute, remaining: max(0, Int(level.rounded(.down))),
            secondsUntilFull: refillPerSecond > 0 ? missing / refillPerSecond : 0)
    }
}

/// A bucket as the `x-ratelimit-*` headers describe it.
struct BucketStatus: Sendable, Hashable {
    var limit: Int
    var remaining: Int
    var secondsUntilFull: Double
}
