/// How a worker runs batch-mode runs through the provider's Batch API.
public struct BatchPolicy: Sendable {
    /// Whose batches these are: the endpoint's key (its base URL), as for its health record.
    public var endpoint: String
    /// Requests per batch at most (default and cap 50,000, OpenAI's limit per batch).
    public var requestsPerBatch: Int
    /// Bytes of a request file at most (default and cap 200 MB, OpenAI's limit per file).
    public var maxFileBytes: Int
    /// Batches of this endpoint open at once, all workers together (default 10): packing waits
    /// while that many are unfinished, which bounds the pace and the tasks held.
    public var maxOpenBatches: Int
    /// How often each open batch is polled (default 60 s).
    public var pollEvery: Duration
    /// How long a worker holds a job on a batch (packing, a poll, applying) before another may
    /// take it over (default 10 minutes; renewed while applying).
    public var jobLease: Duration
    /// Held beyond the provider's deadline before the batch's tasks count as lost (default 1 h).
    public var margin: Duration
    /// How often a worker looks for batch work when it found none (default 5 s).
    public var idle: Duration

    public static let providerRequestLimit = 50_000
    public static let providerFileBytesLimit = 200_000_000

    public init(
        endpoint: String, requestsPerBatch: Int = BatchPolicy.providerRequestLimit, maxFileBytes: Int = BatchPolicy.providerFileBytesLimit,
        maxOpenBatches: Int = 10, pollEvery: Duration = .seconds(60), jobLease: Duration = .seconds(600), margin: Duration = .seconds(3600),
        idle: Duration = .seconds(5)
    ) {
        self.endpoint = endpoint
        self.requestsPerBatch = min(max(1, requestsPerBatch), Self.providerRequestLimit)
        self.maxFileBytes = min(max(1, maxFileBytes), Self.providerFileBytesLimit)
        self.maxOpenBatches = max(1, maxOpenBatches)
        self.pollEvery = pollEvery
        self.jobLease = jobLease
        self.margin = margin
        self.idle = idle
    }
}
