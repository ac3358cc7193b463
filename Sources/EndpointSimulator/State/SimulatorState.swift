import Foundation

/// The one place with shared mutable state: rate-limit buckets, counters and the random source
/// for faults and latency. One actor so that limits hold across all connections; each request
/// visits it once, and every visit is a few arithmetic operations.
actor SimulatorState {
    /// What an admitted request will do.
    struct Admitted: Sendable {
        var number: UInt64
        var fault: FaultKind?
        var delay: Duration
        /// Seeds the per-request choices of a faulty answer.
        var seed: UInt64
        var status: RateLimitStatus
    }

    enum Admission: Sendable {
        case admitted(Admitted)
        case limited(RateLimitRejection)
        case tooLarge(RateLimitRejection)
    }

    /// Requests turned away before the rate-limit check.
    enum EarlyOutcome: Sendable { case unauthorized, badRequest, fixedStatus, refusedForm, quotaExhausted, outage }

    private let faults: FaultProfile
    private let latency: LatencyProfile
    private let origin = ContinuousClock.now
    private let startedUnix = Date().timeIntervalSince1970
    private var limiter: RateLimiter
    private var stats = StatsRecorder()
    private var random: SeededRandom
    private var requestCount: UInt64 = 0
    private var hangEndings: [SimulatedHang.Outcome: Int] = [:]

    init(configuration: SimulatorConfiguration, seed: UInt64) {
        faults = configuration.faults
        latency = configuration.latency
        limiter = RateLimiter(configuration.rateLimits, now: 0)
        random = SeededRandom(seed: seed)
    }

    private var now: Double { (ContinuousClock.now - origin).seconds }

    /// Checks the limits, draws the fault and delay, and counts the outcome.
    func admit(promptTokens: Int, completionTokens: Int, tokenCost: Int, cutByMaxTokens: Bool) -> Admission {
        let now = self.now
        var change = Tally()
        change.requests = 1
        defer { stats.add(change, atSecond: Int(now)) }
        switch limiter.admit(tokenCost: tokenCost, now: now) {
        case .limited(let rejection):
            change.rateLimited = 1
            return .limited(rejection)
        case .tooLarge(let rejection):
            change.tooLarge = 1
            return .tooLarge(rejection)
        case .admitted(let status):
            requestCount += 1
            let fault = faults.fault(forDraw: random.unit())
            let delay = latency.isZero ? .zero : latency.delay(unit: random.unit())
            change.promptTokens = promptTokens
            change.chargedTokens = tokenCost
            if let fault {
                change[fault: fault] = 1
            } else {
                change.succeeded = 1
                change.completionTokens = completionTokens
                change.cutByMaxTokens = cutByMaxTokens ? 1 : 0
            }
            return .admitted(Admitted(number: requestCount, fault: fault, delay: delay, seed: random.next(), status: status))
        }
    }

    /// Counts a request turned away before the limits and returns the limits' state for its headers.
    func recordEarly(_ outcome: EarlyOutcome) -> RateLimitStatus {
        let now = self.now
        var change = Tally()
        change.requests = 1
        switch outcome {
        case .unauthorized: change.unauthorized = 1
        case .badRequest: change.badRequests = 1
        case .fixedStatus: change.fixedStatus = 1
        case .refusedForm: change.refusedForm = 1
        case .quotaExhausted: change.quotaExhausted = 1
        case .outage: change.outage = 1
        }
        stats.add(change, atSecond: Int(now))
        return limiter.currentStatus(now: now)
    }

    /// Whether the configured outage is on now.
    var inOutage: Bool { faults.outage?.contains(ContinuousClock.now - origin) ?? false }

    /// Counts how a simulated hang ended.
    func recordHangEnd(_ outcome: SimulatedHang.Outcome) {
        hangEndings[outcome, default: 0] += 1
    }

    /// The `/sim/stats` document; `batches` is the Batch API's counters (``BatchTally``).
    func statsJSON(model: String, batches: String) -> String {
        let now = self.now
        let second = Int(now)
        let short = stats.window(10, endingAt: second)
        let long = stats.window(StatsRecorder.windowSeconds, endingAt: second)
        var json = JSONText(capacity: 2048)
        json.raw("{\"simulator\":true,\"model\":")
        json.string(model)
        json.raw(",\"uptime_seconds\":\(Int(now)),\"started_unix\":\(Int(startedUnix)),\"totals\":")
        json.raw(stats.totals.json())
        json.raw(",\"hangs_ended\":{\"elapsed\":\(hangEndings[.elapsed] ?? 0),\"client_left\":\(hangEndings[.clientLeft] ?? 0),")
        json.raw("\"stopped\":\(hangEndings[.stopped] ?? 0)}")
        json.raw(",\"last_10s\":")
        json.raw(short.json(seconds: min(10, max(now, 1))))
        json.raw(",\"last_60s\":")
        json.raw(long.json(seconds: min(60, max(now, 1))))
        json.raw(",\"batches\":")
        json.raw(batches)
        json.raw("}")
        return json.text
    }
}
