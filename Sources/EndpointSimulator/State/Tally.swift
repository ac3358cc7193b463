/// Counts of what the simulator did, added up over all time or over one second; the unit of
/// `/sim/stats`.
struct Tally: Sendable, Hashable {
    var requests = 0
    var succeeded = 0
    var rateLimited = 0
    var tooLarge = 0
    var unauthorized = 0
    var badRequests = 0
    var fixedStatus = 0
    /// Requests in a structured-output form the server does not take (`ServerLimits.forms`).
    var refusedForm = 0
    var quotaExhausted = 0
    var outage = 0
    var cutByMaxTokens = 0
    var promptTokens = 0
    var completionTokens = 0
    /// What admitted requests were charged against tokens/min (with max_tokens charging, more than they used).
    var chargedTokens = 0
    var serverError = 0
    var unavailable = 0
    var hang = 0
    var malformed = 0
    var invalidOutput = 0
    var truncated = 0
    var refusal = 0

    subscript(fault kind: FaultKind) -> Int {
        get {
            switch kind {
            case .serverError: serverError
            case .unavailable: unavailable
            case .hang: hang
            case .malformed: malformed
            case .invalidOutput: invalidOutput
            case .truncated: truncated
            case .refusal: refusal
            }
        }
        set {
            switch kind {
            case .serverError: serverError = newValue
            case .unavailable: unavailable = newValue
            case .hang: hang = newValue
            case .malformed: malformed = newValue
            case .invalidOutput: invalidOutput = newValue
            case .truncated: truncated = newValue
            case .refusal: refusal = newValue
            }
        }
    }

    var faults: Int { FaultKind.allCases.reduce(0) { $0 + self[fault: $1] } }

    static func + (lhs: Tally, rhs: Tally) -> Tally {
        var sum = lhs
        sum.requests += rhs.requests
        sum.succeeded += rhs.succeeded
        sum.rateLimited += rhs.rateLimited
        sum.tooLarge += rhs.tooLarge
        sum.unauthorized += rhs.unauthorized
        sum.badRequests += rhs.badRequests
        sum.fixedStatus += rhs.fixedStatus
        sum.refusedForm += rhs.refusedForm
        sum.quotaExhausted += rhs.quotaExhausted
        sum.outage += rhs.outage
        sum.cutByMaxTokens += rhs.cutByMaxTokens
        sum.promptTokens += rhs.promptTokens
        sum.completionTokens += rhs.completionTokens
        sum.chargedTokens += rhs.chargedTokens
        for kind in FaultKind.allCases { sum[fault: kind] += rhs[fault: kind] }
        return sum
    }

    /// The counters as a JSON object; `seconds` adds per-second rates for a window.
    func json(seconds: Double? = nil) -> String {
        var json = JSONText(capacity: 512)
        json.raw("{\"requests\":\(requests),\"succeeded\":\(succeeded),\"rate_limited_429\":\(rateLimited),")
        json.raw("\"too_large_429\":\(tooLarge),\"unauthorized_401\":\(unauthorized),\"bad_requests_400\":\(badRequests),")
        json.raw(
            "\"fixed_status\":\(fixedStatus),\"refused_form\":\(refusedForm),\"quota_exhausted_429\":\(quotaExhausted),\"outage_503\":\(outage),")
        json.raw("\"cut_by_max_tokens\":\(cutByMaxTokens),\"faults\":{")
        json.raw(FaultKind.allCases.map { "\"\($0.rawValue)\":\(self[fault: $0])" }.joined(separator: ","))
        json.raw("},\"prompt_tokens\":\(promptTokens),\"completion_tokens\":\(completionTokens),\"charged_tokens\":\(chargedTokens)")
        if let seconds, seconds > 0 {
            json.raw(",\"window_seconds\":\(Int(seconds)),\"requests_per_second\":\(Self.rate(requests, seconds))")
            json.raw(",\"tokens_per_second\":\(Self.rate(promptTokens + completionTokens, seconds))")
        }
        json.raw("}")
        return json.text
    }

    private static func rate(_ count: Int, _ seconds: Double) -> String {
        String(Double(Int(Double(count) / seconds * 10)) / 10)
    }
}
