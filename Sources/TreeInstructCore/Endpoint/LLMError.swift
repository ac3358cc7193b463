/// A failed call, classified so the worker knows whether to try again and when.
///
/// Retryable: 429, 408, 409, 425, 5xx, timeouts, dropped connections, bodies we cannot read.
/// Permanent: 400, 401, 403, 404, 422, other 4xx, and content-filter refusals: trying again
/// would fail the same way and cost money. A spent quota (429 `insufficient_quota`, 402) is
/// neither: no retry helps until someone pays, so the worker stops (or pauses) instead.
public struct LLMError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case rateLimited, serverError, timeout, connection, malformedBody
        case badRequest, unauthorized, notFound, unprocessable, contentFilter, clientError
        case quotaExhausted
    }

    public var kind: Kind
    public var httpStatus: Int?
    /// The endpoint's own message, shortened; never contains our key.
    public var message: String
    /// How long the endpoint asked us to wait (Retry-After, retry-after-ms, x-ratelimit-reset-*).
    public var retryAfter: Duration?
    /// The call failed before any byte of an answer came back (refused, reset, DNS, TLS, no
    /// response head in time): whatever went wrong, the request itself was not the cause.
    public var beforeAnyByte: Bool

    public init(kind: Kind, httpStatus: Int? = nil, message: String, retryAfter: Duration? = nil, beforeAnyByte: Bool = false) {
        self.kind = kind
        self.httpStatus = httpStatus
        self.message = message
        self.retryAfter = retryAfter
        self.beforeAnyByte = beforeAnyByte
    }

    /// The endpoint's fault rather than the task's: transport failures and 5xx answers. Enough
    /// of them in a row, cluster-wide, mark the endpoint down.
    public var isEndpointFault: Bool {
        switch kind {
        case .connection, .serverError: true
        case .timeout: beforeAnyByte && httpStatus == nil
        default: false
        }
    }

    public var isRetryable: Bool {
        switch kind {
        case .rateLimited, .serverError, .timeout, .connection, .malformedBody: true
        case .badRequest, .unauthorized, .notFound, .unprocessable, .contentFilter, .clientError, .quotaExhausted: false
        }
    }

    /// Stable code stored with the attempt: `http_429`, `timeout`, `connection`, `malformed_body`, ...
    public var code: String {
        switch kind {
        case .timeout: "timeout"
        case .connection: "connection"
        case .malformedBody: "malformed_body"
        case .contentFilter: "content_filter"
        case .quotaExhausted: "quota_exhausted"
        default: httpStatus.map { "http_\($0)" } ?? kind.rawValue
        }
    }

    public var description: String {
        let status = httpStatus.map { "HTTP \($0): " } ?? ""
        return "\(code): \(status)\(message)"
    }

    /// Classifies an HTTP error status and its body's message.
    package static func classify(status: Int, message: String, errorCode: String?, retryAfter: Duration?) -> LLMError {
        let kind: Kind
        switch status {
        case 402: kind = .quotaExhausted
        case 429 where QuotaSignals.isQuota(errorCode: errorCode, message: message): kind = .quotaExhausted
        case 429: kind = .rateLimited
        // Request timeout, conflict and too-early say "not now", not "never": the same request
        // may succeed later, so they are retried as timeouts are.
        case 408, 409, 425: kind = .timeout
        case 500...599: kind = .serverError
        case 400 where ["content_filter", "content_policy_violation"].contains(errorCode ?? ""): kind = .contentFilter
        case 400: kind = .badRequest
        case 401, 403: kind = .unauthorized
        case 404: kind = .notFound
        case 422: kind = .unprocessable
        default: kind = .clientError
        }
        return LLMError(kind: kind, httpStatus: status, message: message, retryAfter: retryAfter)
    }
}
