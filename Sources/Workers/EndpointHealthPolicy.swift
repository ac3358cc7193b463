/// How a worker reads and reacts to the endpoint's shared health.
public struct EndpointHealthPolicy: Sendable, Hashable {
    /// What a spent quota does.
    public enum QuotaAction: String, Sendable, Hashable, CaseIterable {
        /// Every worker stops, exiting non-zero with a message that says what to do (default).
        case stop
        /// Every worker pauses, and one probe per `quotaProbeEvery` finds out when it works again.
        case pause
    }

    /// The rows sharing one health record: workers with the same key stop and resume together
    /// (default "default"; the CLI uses the rate budget's key, the base URL unless told otherwise).
    public var key: String
    /// Endpoint faults in a row, cluster-wide, with no answer between, that mark it down (default 5).
    public var faultThreshold: Int
    /// While it is down, one probe call per this long across the cluster (default 10 s).
    public var probeEvery: Duration
    /// While the quota is spent and workers pause, one probe per this long (default 60 s).
    public var quotaProbeEvery: Duration
    /// What a spent quota does (default stop).
    public var onQuota: QuotaAction
    /// How often a worker reads the shared state before claiming (default 1 s).
    public var refreshEvery: Duration
    /// How often a worker repeats that the endpoint is still down (default 60 s).
    public var remindEvery: Duration

    public init(
        key: String = "default", faultThreshold: Int = 5, probeEvery: Duration = .seconds(10),
        quotaProbeEvery: Duration = .seconds(60), onQuota: QuotaAction = .stop, refreshEvery: Duration = .seconds(1),
        remindEvery: Duration = .seconds(60)
    ) {
        self.key = key
        self.faultThreshold = max(1, faultThreshold)
        self.probeEvery = probeEvery
        self.quotaProbeEvery = quotaProbeEvery
        self.onQuota = onQuota
        self.refreshEvery = refreshEvery
        self.remindEvery = remindEvery
    }
}
