/// How a batch-mode run uses the provider's Batch API: a file of requests answered within a
/// completion window, at half the price of live calls (OpenAI's terms), with its own queue
/// limits. Stored in the run's config, so every worker treats the run alike.
public struct BatchSettings: Sendable, Hashable, Codable {
    /// The completion window asked for (default "24h", the only one OpenAI offers).
    public var completionWindow: String

    public init(completionWindow: String = "24h") {
        self.completionWindow = completionWindow
    }

    enum CodingKeys: String, CodingKey {
        case completionWindow = "completion_window"
    }
}
