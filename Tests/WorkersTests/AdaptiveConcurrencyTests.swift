import Testing
@testable import Workers

/// The concurrency limiter against simulated servers: each step feeds the latency the server
/// would show with the limiter's current number of calls in flight.
@Suite("Adaptive concurrency")
struct AdaptiveConcurrencyTests {
    /// Feeds `calls` samples on a virtual clock; `latency` maps calls in flight (and the call's
    /// number) to seconds. Answers arrive `latency / inFlight` apart, each started `latency`
    /// before it arrives. Returns the slots after each sample (`learnt`: the limit learnt, which
    /// probe windows halve for a while).
    static func drive(
        _ limiter: inout AdaptiveConcurrency, calls: Int, waitedForBudget: Bool = false, inFlight: ((Int) -> Int)? = nil,
        learnt: Bool = false, clock: inout ContinuousClock.Instant, latency: (_ inFlight: Int, _ call: Int) -> Double
    ) -> [Int] {
        var history: [Int] = []
        for call in 0..<calls {
            let busy = inFlight?(limiter.slots) ?? limiter.slots
            let seconds = latency(busy, call)
            let latency = Duration.nanoseconds(Int64(seconds * 1e9))
            clock += latency / max(1, busy)
            let sample = AdaptiveConcurrency.Sample(
                started: clock - latency, latency: latency, outcome: .answered,
                waitedForBudget: waitedForBudget, inFlight: busy)
            _ = limiter.record(sample)
            history.append(learnt ? Int(limiter.limit) : limiter.slots)
        }
        return history
    }

    static func drive(
        _ limiter: inout AdaptiveConcurrency, calls: Int, waitedForBudget: Bool = false, inFlight: ((Int) -> Int)? = nil,
        learnt: Bool = false, latency: (_ inFlight: Int, _ call: Int) -> Double
    ) -> [Int] {
        var clock = ContinuousClock.now
        return drive(&limiter, calls: calls, waitedForBudget: waitedForBudget, inFlight: inFlight, learnt: learnt, clock: &clock, latency: latency)
    }

    /// A deterministic spread in 0..<1 for call `n` (SplitMix64), so "noisy" servers reproduce.
    static func spread(_ n: Int) -> Double {
        var z = UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }

    @Test func aOneSlotServerSettlesAtOneOrTwo() {
        // One slot, 2 s per answer, first come first served: with N in flight each waits N answers.
        var limiter = AdaptiveConcurrency(maximum: 64)
        let history = Self.drive(&limiter, calls: 400) { inFlight, _ in 2.0 * Double(inFlight) }
        #expect(history.suffix(300).allSatisfy { (1...2).contains($0) }, "\(Set(history))")
        #expect(history.max()! <= 3)
    }

    @Test func aServerWithRoomForThirtyTwoSettlesNearIt() {
        // 32 slots of 1 s: flat up to 32 in flight, then queueing.
        var limiter = AdaptiveConcurrency(maximum: 256)
        let history = Self.drive(&limiter, calls: 20_000, learnt: true) { inFlight, _ in max(1, Double(inFlight) / 32) }
        let settled = history.suffix(5_000)
        #expect(settled.min()! >= 24, "too timid: \(settled.min()!)")
        #expect(settled.max()! <= 64, "queues too much: \(settled.max()!)")
    }

    @Test func aFlatFastServerReachesTheMaximum() {
        // The zero-latency simulator: a millisecond or two whatever the load.
        var limiter = AdaptiveConcurrency(maximum: 64)
        let history = Self.drive(&limiter, calls: 2_000) { _, call in 0.001 + 0.002 * Self.spread(call) }
        #expect(history.last == 64)
        #expect(history.firstIndex(of: 64)! < 1_000, "climbs quickly")
    }

    @Test func noisyLatencyWithRoomKeepsClimbing() {
        // Answers of very different lengths (2 to 10 s) on a server with room for all of them.
        var limiter = AdaptiveConcurrency(maximum: 128)
        let history = Self.drive(&limiter, calls: 30_000, learnt: true) { _, call in 2 + 8 * Self.spread(call) }
        #expect(history.suffix(10_000).min()! >= 48, "collapsed on noise: \(history.suffix(10_000).min()!)")
    }

    @Test func timeoutsHalveOncePerBurst() {
        var limiter = AdaptiveConcurrency(maximum: 64)
        var clock = ContinuousClock.now
        _ = Self.drive(&limiter, calls: 1_000, clock: &clock) { _, _ in 0.01 }
        #expect(limiter.slots == 64)
        // 64 calls started together all time out: the limit halves once, not 64 times.
        let started = clock
        clock += .seconds(120)
        #expect(limiter.record(.init(started: started, latency: .seconds(120), outcome: .overloaded, inFlight: 64)) == 32)
        #expect(limiter.record(.init(started: started, latency: .seconds(120), outcome: .overloaded, inFlight: 63)) == nil)
        // A call started after the cut that times out too halves it again.
        #expect(limiter.record(.init(started: clock, latency: .seconds(120), outcome: .overloaded, inFlight: 32)) == 16)
        #expect(
            limiter.record(.init(started: clock + .seconds(121), latency: .seconds(1), outcome: .other, inFlight: 16)) == nil,
            "other errors say nothing")
    }

    @Test func theRateBudgetBoundsGrowth() {
        var limiter = AdaptiveConcurrency(maximum: 64, initial: 4)
        let history = Self.drive(&limiter, calls: 1_000, waitedForBudget: true) { _, _ in 0.01 }
        #expect(history.max()! == 4, "calls that waited for budget say nothing about room for more")
    }

    @Test func withLittleWorkTheLimitDoesNotRunAway() {
        // One task at a time to do: once a window has most slots idle, it stops growing (the
        // slow start's last doubling takes it to four).
        var limiter = AdaptiveConcurrency(maximum: 64)
        let history = Self.drive(&limiter, calls: 1_000, inFlight: { _ in 1 }) { _, _ in 0.01 }
        #expect(history.max()! <= 4)
    }

    @Test func aSlowdownShrinksAndARecoveryGrowsAgain() {
        var limiter = AdaptiveConcurrency(maximum: 64)
        var clock = ContinuousClock.now
        _ = Self.drive(&limiter, calls: 1_000, clock: &clock) { _, _ in 0.5 }
        #expect(limiter.slots == 64)
        // The server gets a neighbour: now 16 slots of 0.5 s.
        let slowed = Self.drive(&limiter, calls: 3_000, learnt: true, clock: &clock) { inFlight, _ in max(0.5, Double(inFlight) / 32) }
        #expect(slowed.suffix(1_000).max()! <= 32, "\(slowed.suffix(1_000).max()!)")
        // The neighbour leaves.
        let recovered = Self.drive(&limiter, calls: 6_000, clock: &clock) { _, _ in 0.5 }
        #expect(recovered.last == 64)
    }
}
