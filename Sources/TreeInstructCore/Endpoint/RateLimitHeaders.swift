import Foundation

/// What an endpoint's headers say about its limits: how long to wait after a 429, and how much
/// budget is left. Providers spell this differently; all the spellings we know are read here.
public struct RateLimitHeaders: Sendable, Hashable {
    public var retryAfter: Duration?
    public var limitRequests: Int?
    public var remainingRequests: Int?
    public var resetRequests: Duration?
    public var limitTokens: Int?
    public var remainingTokens: Int?
    public var resetTokens: Duration?

    public init(_ header: (String) -> String?, now: Date = Date()) {
        retryAfter =
            (header("retry-after-ms").flatMap(Double.init).map { $0 / 1000 }
            ?? header("retry-after").flatMap { Self.retryAfter($0, now: now) }).map { .seconds($0) }
        limitRequests = header("x-ratelimit-limit-requests").flatMap { Int($0) }
        remainingRequests = header("x-ratelimit-remaining-requests").flatMap { Int($0) }
        resetRequests = header("x-ratelimit-reset-requests").flatMap(Self.duration).map { .seconds($0) }
        limitTokens = header("x-ratelimit-limit-tokens").flatMap { Int($0) }
        remainingTokens = header("x-ratelimit-remaining-tokens").flatMap { Int($0) }
        resetTokens = header("x-ratelimit-reset-tokens").flatMap(Self.duration).map { .seconds($0) }
    }

    /// The wait before the next call may succeed: Retry-After, else the later of the resets of
    /// whichever budget is exhausted.
    public var suggestedWait: Duration? {
        if let retryAfter { return retryAfter }
        var waits: [Duration] = []
        if remainingRequests == 0, let reset = resetRequests { waits.append(reset) }
        if remainingTokens == 0, let reset = resetTokens { waits.append(reset) }
        return waits.max()
    }

    /// `Retry-After` is either delta-seconds or an HTTP-date (RFC 9110).
    static func retryAfter(_ value: String, now: Date) -> Double? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }

    /// OpenAI's reset durations: `1s`, `6m0s`, `120ms`, `1h2m3.5s`, or plain seconds.
    static func duration(_ value: String) -> Double? {
        if let seconds = Double(value) { return seconds }
        var total = 0.0
        var number = ""
        var index = value.startIndex
        var sawUnit = false
        while index < value.endIndex {
            let character = value[index]
            if character.isNumber || character == "." {
                number.append(character)
                index = value.index(after: index)
                continue
            }
            guard let amount = Double(number) else { return nil }
            let rest = value[index...]
            if rest.hasPrefix("ms") {
                total += amount / 1000
                index = value.index(index, offsetBy: 2)
            } else {
                switch character {
                case "h": total += amount * 3600
                case "m": total += amount * 60
                case "s": total += amount
                default: return nil
                }
                index = value.index(after: index)
            }
            number = ""
            sawUnit = true
        }
        return sawUnit && number.isEmpty ? total : nil
    }
}
