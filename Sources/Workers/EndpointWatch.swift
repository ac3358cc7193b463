import Foundation
import Logging
import Metrics
import TreeInstructCore

/// One worker's view of the endpoint's shared health: it gates claims (work, probe, or wait),
/// reports faults and answers, and says once when the state changes, then at a slow pace while
/// it lasts.
///
/// Reads of the shared state are paced (`refreshEvery`), and an answer writes only when there is
/// a fault count to reset, so a healthy endpoint costs the database nothing per call.
actor EndpointWatch {
    enum Admission: Equatable {
        /// Claim as usual.
        case open
        /// Claim one task: this worker probes the endpoint for the cluster.
        case probe
        /// Claim nothing now.
        case closed
    }

    let policy: EndpointHealthPolicy
    private let store: any EndpointHealthStore
    private let logger: Logger
    /// Tasks waiting for the endpoint, for the log line; nil when unknown.
    private let waitingTasks: @Sendable () async -> Int?
    private var current = EndpointHealth()
    private var readAt: ContinuousClock.Instant?
    private var remindedAt = ContinuousClock.now
    private let upGauge = Gauge(label: "treeinstruct_endpoint_up")

    init(policy: EndpointHealthPolicy, store: any EndpointHealthStore, logger: Logger, waitingTasks: @escaping @Sendable () async -> Int?) {
        self.policy = policy
        self.store = store
        self.logger = logger
        self.waitingTasks = waitingTasks
    }

    var state: EndpointHealth.State { current.state }

    /// A worker that starts tries the endpoint again: a quota stop left by earlier workers is
    /// cleared (someone restarted us, most likely after paying), and said so.
    func start() async throws {
        if let cleared = try await store.clearQuotaStop(key: policy.key) {
            logger.notice(
                "clearing the quota stop recorded \(Self.ago(cleared.since)); trying the endpoint again",
                metadata: ["endpoint": "\(policy.key)"])
        }
        upGauge.record(1)
    }

    /// What the claim loop may do now. Throws QuotaExhausted when the quota is spent and the
    /// policy is to stop.
    func admission() async throws -> Admission {
        if readAt.map({ ContinuousClock.now - $0 >= policy.refreshEvery }) ?? true {
            readAt = .now
            // An unreadable database keeps the last view; the claim that follows says why.
            if let fresh = try? await store.read(key: policy.key) { await adopt(fresh ?? EndpointHealth(state: .up, faults: 0)) }
        }
        switch current.state {
        case .up:
            return .open
        case .quota where policy.onQuota == .stop:
            throw QuotaExhausted(detail: current.lastError ?? "quota exhausted")
        case .down, .quota:
            await remindIfDue()
            let interval = current.state == .down ? policy.probeEvery : policy.quotaProbeEvery
            return (try? await store.takeProbe(key: policy.key, interval: interval)) == true ? .probe : .closed
        }
    }

    /// The endpoint answered (any HTTP answer that is not a fault): resets a fault count if
    /// there is one, and brings the endpoint up if it was not.
    func answered() async {
        guard current.faults > 0 || current.state != .up else { return }
        // A call admitted before the quota ran out proves nothing; with `stop` only a worker
        // started afterwards clears the stop.
        if current.state == .quota, policy.onQuota == .stop { return }
        current.faults = 0  // before the write, so concurrent answers do not write it again
        guard let reset = try? await store.recordAnswer(key: policy.key) else { return }
        await adopt(reset ?? EndpointHealth(state: .up, since: Date(), faults: 0))
    }

    /// Counts an endpoint fault for the cluster; returns the state after it, which decides
    /// whether the failed call costs its task an attempt.
    func fault(_ error: LLMError) async -> EndpointHealth.State {
        guard
            let after = try? await store.recordFault(
                key: policy.key, detail: error.description, threshold: policy.faultThreshold, probeEvery: policy.probeEvery)
        else { return current.state }
        await adopt(after)
        return after.state
    }

    /// Marks the quota spent for the whole cluster.
    func quotaExhausted(_ error: LLMError) async {
        guard let after = try? await store.recordQuotaExhausted(key: policy.key, detail: error.description, probeEvery: policy.quotaProbeEvery)
        else { return }
        await adopt(after)
    }

    private func adopt(_ fresh: EndpointHealth) async {
        let before = current
        current = fresh
        upGauge.record(fresh.state == .up ? 1 : 0)
        guard before.state != fresh.state else { return }
        remindedAt = .now
        let endpoint: Logger.Metadata = ["endpoint": "\(policy.key)"]
        let waiting = await waitingText()
        switch fresh.state {
        case .down:
            logger.warning(
                "endpoint down since \(Self.clock(fresh.since)) (\(fresh.lastError ?? "no answer")), \(waiting), probing every \(Self.seconds(policy.probeEvery)); its failures cost no attempts",
                metadata: endpoint)
        case .quota:
            let action =
                policy.onQuota == .stop
                ? "stopping every worker"
                : "pausing every worker, \(waiting), probing every \(Self.seconds(policy.quotaProbeEvery))"
            logger.critical(
                "endpoint quota spent since \(Self.clock(fresh.since)) (\(fresh.lastError ?? "")); \(action); add credit or raise the limit with the provider",
                metadata: endpoint)
        case .up:
            logger.notice("endpoint answering again after \(Self.ago(before.since, suffix: "")); resuming", metadata: endpoint)
        }
    }

    private func remindIfDue() async {
        guard ContinuousClock.now - remindedAt >= policy.remindEvery else { return }
        remindedAt = .now
        let waiting = await waitingText()
        logger.warning(
            "endpoint still \(current.state == .down ? "down" : "out of quota") since \(Self.clock(current.since)) (\(Self.ago(current.since))), \(waiting); last error: \(current.lastError ?? "none")",
            metadata: ["endpoint": "\(policy.key)"])
    }

    private func waitingText() async -> String {
        guard let count = await waitingTasks() else { return "tasks waiting" }
        return "\(count) task\(count == 1 ? "" : "s") waiting"
    }

    static func clock(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(.colon))
    }

    static func seconds(_ duration: Duration) -> String { "\(duration.inSeconds.formatted()) s" }

    static func ago(_ date: Date, suffix: String = " ago") -> String {
        "\(max(0, Int(Date().timeIntervalSince(date)))) s\(suffix)"
    }
}
