/// Everything one simulator instance does, fixed at start: where it listens, what it calls
/// itself, how slow it is, how it rate-limits and which faults it injects. A plain value, so a
/// test can build one in a line and a CLI can fill it from flags.
public struct SimulatorConfiguration: Sendable, Hashable {
    /// The id the simulator reports in every answer and in `GET /v1/models`; the default says
    /// plainly what it is rather than imitating a real model.
    public static let defaultModel = "treeinstruct-simulator"

    public var host: String
    /// 0 binds an ephemeral port; ask ``SimulatorServer/boundPort()`` for it.
    public var port: Int
    public var model: String
    /// When set, every `/v1` request must carry `Authorization: Bearer <key>`. Never logged.
    public var apiKey: String?
    public var latency: LatencyProfile
    public var rateLimits: RateLimitConfiguration
    public var faults: FaultProfile
    /// Slots and structured-output forms, for servers smaller than OpenAI's (default: none).
    public var server: ServerLimits
    /// Seeds every random choice (answers, faults, latency) so runs reproduce; nil draws one.
    public var seed: UInt64?
    /// Request bodies above this size get 413 (file uploads have ``BatchProfile/maxFileBytes``).
    public var maxBodyBytes: Int
    /// The Batch API's timing, faults and limits (default ``BatchProfile/standard``).
    public var batch: BatchProfile

    public init(
        host: String = "127.0.0.1", port: Int = 8089, model: String = SimulatorConfiguration.defaultModel,
        apiKey: String? = nil, latency: LatencyProfile = .none, rateLimits: RateLimitConfiguration = .unlimited,
        faults: FaultProfile = .none, server: ServerLimits = .none, seed: UInt64? = nil, maxBodyBytes: Int = 8 << 20,
        batch: BatchProfile = .standard
    ) {
        self.server = server
        self.host = host
        self.port = port
        self.model = model
        self.apiKey = apiKey
        self.latency = latency
        self.rateLimits = rateLimits
        self.faults = faults
        self.seed = seed
        self.maxBodyBytes = maxBodyBytes
        self.batch = batch
    }
}

extension SimulatorConfiguration: CustomStringConvertible {
    /// A one-line summary that is safe to log: the API key shows only as required or not.
    public var description: String {
        var parts = ["model \(model)", "api key \(apiKey == nil ? "not required" : "required")", latency.description]
        parts.append(rateLimits.description)
        if faults != .none { parts.append(faults.description) }
        if server != .none { parts.append(server.description) }
        if batch != .standard { parts.append(batch.description) }
        if let seed { parts.append("seed \(seed)") }
        return parts.joined(separator: ", ")
    }
}
