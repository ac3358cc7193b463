import Foundation

/// How progress numbers read, the same in `status` and in the viewer.
public enum ProgressWording {
    /// "12.5 tasks/min", or why there is no rate.
    public static func rate(tasksPerMinute: Double?, state: String) -> String {
        guard let tasksPerMinute else { return state == "cancelled" ? "no rate (cancelled)" : "no rate (nothing left)" }
        return String(format: "%.1f tasks/min", tasksPerMinute)
    }

    /// "4m05s", "–" when nothing is left, "unknown" without a rate.
    public static func eta(tasksRemaining: Int, seconds: Double?) -> String {
        if tasksRemaining == 0 { return "–" }
        return seconds.map(duration) ?? "unknown"
    }

    public static func percent(_ value: Double) -> String { String(format: "%.1f%%", value) }

    /// "1h05m", "3m20s", "42s".
    public static func duration(_ seconds: Double) -> String {
        let total = Int(seconds)
        return total >= 3600 ? "\(total / 3600)h\(total % 3600 / 60)m" : total >= 60 ? "\(total / 60)m\(total % 60)s" : "\(total)s"
    }

    /// "in progress" for "in_progress".
    public static func state(_ state: String) -> String { state.replacingOccurrences(of: "_", with: " ") }
}

/// Prices per million tokens, for a cost figure; none set means no cost is shown.
public struct TokenPrices: Sendable, Hashable {
    public var prompt: Double?
    public var completion: Double?

    public init(prompt: Double? = nil, completion: Double? = nil) {
        self.prompt = prompt
        self.completion = completion
    }

    public func cost(promptTokens: Int, completionTokens: Int) -> Double? {
        guard prompt != nil || completion != nil else { return nil }
        return Double(promptTokens) * (prompt ?? 0) / 1e6 + Double(completionTokens) * (completion ?? 0) / 1e6
    }

    /// "$0.0123", or nil without prices.
    public func costText(promptTokens: Int, completionTokens: Int) -> String? {
        cost(promptTokens: promptTokens, completionTokens: completionTokens).map { String(format: "$%.4f", $0) }
    }
}
