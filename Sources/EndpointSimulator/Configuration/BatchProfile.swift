/// How the simulated Batch API (`/v1/files`, `/v1/batches`) behaves: how long a batch takes,
/// what fails, when batches expire, and OpenAI's limits. Batches skip the rate limits and the
/// live endpoint's faults; these are their own.
public struct BatchProfile: Sendable, Hashable, CustomStringConvertible {
    /// OpenAI's documented limit on requests in one input file.
    public static let openAIMaxRequests = 50_000
    /// OpenAI's documented limit on a batch input file's size, 200 MB.
    public static let openAIMaxFileBytes = 200_000_000

    /// From creation to `completed` (default 2 s, so tests and demos need not wait a day);
    /// `in_progress` starts after a tenth of it and `finalizing` takes the last tenth.
    public var completionDelay: Duration
    /// The completion window the simulator applies (default 24 h, what OpenAI offers); a batch
    /// not done within it expires. Set it to seconds to see expiry in a test.
    public var window: Duration
    /// Probability that the provider fails one request: an error-file line with status 500
    /// (default 0).
    public var failureRate: Double
    /// Probability that one answer is well-formed but fails validation, as the live endpoint's
    /// `invalidOutput` fault (default 0).
    public var invalidOutputRate: Double
    /// Every Nth batch created (the Nth, 2Nth, ...) expires at its deadline with about half of
    /// its requests answered, whatever the delay (default nil: none).
    public var expireEvery: Int?
    /// Lines per input file (default 50,000, OpenAI's limit).
    public var maxRequests: Int
    /// Bytes per uploaded file (default 200 MB, OpenAI's limit).
    public var maxFileBytes: Int
    /// Batches not yet finished (validating, in progress, finalizing, cancelling) at once; one
    /// more is refused with 400 `batch_limit_exceeded` (default nil: no limit; OpenAI limits
    /// enqueued tokens instead).
    public var maxOpenBatches: Int?

    public static let standard = BatchProfile()

    public init(
        completionDelay: Duration = .seconds(2), window: Duration = .seconds(24 * 3600), failureRate: Double = 0,
        invalidOutputRate: Double = 0, expireEvery: Int? = nil, maxRequests: Int = BatchProfile.openAIMaxRequests,
        maxFileBytes: Int = BatchProfile.openAIMaxFileBytes, maxOpenBatches: Int? = nil
    ) {
        self.completionDelay = completionDelay
        self.window = window
        self.failureRate = failureRate
        self.invalidOutputRate = invalidOutputRate
        self.expireEvery = expireEvery
        self.maxRequests = maxRequests
        self.maxFileBytes = maxFileBytes
        self.maxOpenBatches = maxOpenBatches
    }

    /// A setting out of range, as a sentence; nil when valid.
    public var problem: String? {
        if !(0...1).contains(failureRate) { return "batch failure rate must be between 0 and 1, got \(failureRate)" }
        if !(0...1).contains(invalidOutputRate) { return "batch invalid-output rate must be between 0 and 1, got \(invalidOutputRate)" }
        if failureRate + invalidOutputRate > 1 { return "batch failure and invalid-output rates must not add up past 1" }
        if completionDelay < .zero || window <= .zero { return "batch delay must not be negative and the window must be positive" }
        if let expireEvery, expireEvery < 1 { return "batch expire-every must be at least 1, got \(expireEvery)" }
        if maxRequests < 1 || maxFileBytes < 1 { return "batch request and byte limits must be positive" }
        if let maxOpenBatches, maxOpenBatches < 1 { return "open batch limit must be at least 1, got \(maxOpenBatches)" }
        return nil
    }

    public var description: String {
        var parts = ["batches answer in \(completionDelay.milliseconds) ms within a \(window.milliseconds / 1000) s window"]
        if failureRate > 0 { parts.append("fail \(failureRate)") }
        if invalidOutputRate > 0 { parts.append("invalid output \(invalidOutputRate)") }
        if let expireEvery { parts.append("every \(expireEvery == 1 ? "" : "\(expireEvery)th ")batch expires") }
        parts.append("at most \(maxRequests) requests and \(maxFileBytes) bytes per file")
        if let maxOpenBatches { parts.append("\(maxOpenBatches) open batches") }
        return parts.joined(separator: ", ")
    }
}
