/// A failed call, classified so the worker knows whether to try again and when.
///
/// Retryable: 429, 408, 409, 425, 5xx, timeouts, dropped connections, bodies we cannot read.
/// Permanent: 400, 401, 403, 404, 422, other 4xx, and content-filter refusals: trying again
/// would fail the same way and cost money.
public struct LLMError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case rateLimited, serverError, timeout, connection, malformedBody
        case badRequest, unauthorized, notFound, unprocessable, contentFilter, clientError
    }

    public var kind: Kind
    public var httpStatus: Int?
    /// The endpoint's own message, shortened; never contains our key.
    public var message: String
    /// How long the endpoint asked us to wait (Retry-After, retry-after-ms, x-ratelimit-reset-*).
    public var retryAfterSeconds: Double?

    public init(kind: Kind, httpStatus: Int? = nil, message: String, retryAfterSeconds: Double? = nil) {
        self.kind = kind
        self.httpStatus = httpStatus
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var isRetryable: Bool {
        switch kind {
        case .rateLimited, .serverError, .timeout, .connection, .malformedBody: true
        case .badRequest, .unauthorized, .notFound, .unprocessable, .contentFilter, .clientError: false
        }
    }

    /// Stable code stored with the attempt: `http_429`, `timeout`, `connection`, `malformed_body`, ...
    public var code: String {
        switch kind {
        case .timeout: "timeout"
        case .connection: "connection"
        case .malformedBody: "malformed_body"
        case .contentFilter: "content_filter"
        default: httpStatus.map { "http_\($0)" } ?? kind.rawValue
        }
    }

    public var description: String {
        let status = httpStatus.map { "HTTP \($0): " } ?? ""
        return "\(code): \(status)\(message)"
    }

    /// Classifies an HTTP error status and its body's message.
    package static func classify(status: Int, message: String, errorCode: String?, retryAfterSeconds: Double?) -> LLMError {
        let kind: Kind
        switch status {
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
        return LLMError(kind: kind, httpStatus: status, message: message, retryAfterSeconds: retryAfterSeconds)
    }
}
