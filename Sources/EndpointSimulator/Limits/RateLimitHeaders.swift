import HTTPTypes

/// The `x-ratelimit-*` and `Retry-After` headers as OpenAI writes them, so clients that parse
/// them for pacing and backoff are tested against the real format.
enum RateLimitHeaders {
    static let limitRequests = HTTPField.Name("x-ratelimit-limit-requests")!
    static let remainingRequests = HTTPField.Name("x-ratelimit-remaining-requests")!
    static let resetRequests = HTTPField.Name("x-ratelimit-reset-requests")!
    static let limitTokens = HTTPField.Name("x-ratelimit-limit-tokens")!
    static let remainingTokens = HTTPField.Name("x-ratelimit-remaining-tokens")!
    static let resetTokens = HTTPField.Name("x-ratelimit-reset-tokens")!
    static let retryAfter = HTTPField.Name("retry-after")!
    static let retryAfterMilliseconds = HTTPField.Name("retry-after-ms")!

    static func add(_ status: RateLimitStatus, to headers: inout HTTPFields) {
        if let requests = status.requests {
            headers[limitRequests] = String(requests.limit)
            headers[remainingRequests] = String(requests.remaining)
            headers[resetRequests] = duration(seconds: requests.secondsUntilFull)
        }
        if let tokens = status.tokens {
            headers[limitTokens] = String(tokens.limit)
            headers[remainingTokens] = String(tokens.remaining)
            headers[resetTokens] = duration(seconds: tokens.secondsUntilFull)
        }
    }

    /// `Retry-After` (whole seconds rounded up, at least 1, or an HTTP-date) and `retry-after-ms`.
    static func addRetryAfter(
        seconds: Double, format: RateLimitConfiguration.RetryAfterFormat, nowUnix: Double,
        to headers: inout HTTPFields
    ) {
        let wholeSeconds = max(1, Int(seconds.rounded(.up)))
        switch format {
        case .seconds: headers[retryAfter] = String(wholeSeconds)
        case .httpDate: headers[retryAfter] = HTTPDate.format(unixSeconds: Int(nowUnix.rounded(.up)) + wholeSeconds)
        }
        headers[retryAfterMilliseconds] = String(max(1, Int((seconds * 1000).rounded(.up))))
    }

    /// OpenAI's (Go's) duration format: `120ms`, `1s`, `1.5s`, `6m0s`, `1h0m0s`.
    static func duration(seconds: Double) -> String {
        guard seconds > 0, seconds.isFinite else { return "0s" }
        let totalMilliseconds = Int((seconds * 1000).rounded(.up))
        if totalMilliseconds < 1000 { return "\(totalMilliseconds)ms" }
        let hours = totalMilliseconds / 3_600_000
        let minutes = totalMilliseconds / 60_000 % 60
        let milliseconds = totalMilliseconds % 60_000
        var secondsText = String(milliseconds / 1000)
        if milliseconds % 1000 != 0 {
            var fraction = String(milliseconds % 1000)
            fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
            secondsText += "." + fraction
        }
        if hours > 0 { return "\(hours)h\(minutes)m\(secondsText)s" }
        if minutes > 0 { return "\(minutes)m\(secondsText)s" }
        return secondsText + "s"
    }
}

/// RFC 9110 IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), computed without locales.
enum HTTPDate {
    static func format(unixSeconds: Int) -> String {
        let days = unixSeconds.floorDivided(by: 86_400)
        let secondOfDay = unixSeconds - days * 86_400
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.floorModulo(7)]
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return
            "\(weekday), \(two(day)) \(months[month - 1]) \(year) \(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) GMT"
    }

    /// Howard Hinnant's days-to-civil algorithm.
    static func civilDate(daysSinceEpoch: Int) -> (year: Int, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = z.floorDivided(by: 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Int {
    fileprivate func floorDivided(by divisor: Int) -> Int {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    fileprivate func floorModulo(_ divisor: Int) -> Int {
        self - floorDivided(by: divisor) * divisor
    }
}
