import HTTPTypes

/// An error in OpenAI's body shape, `{"error": {"message", "type", "param", "code"}}`, so
/// clients classify the simulator's errors with the same code they use for the real API.
struct OpenAIError: Error, Sendable, Hashable {
    var status: HTTPResponse.Status
    var message: String
    var type: String
    var code: String?
    var param: String?

    var body: String {
        var json = JSONText(capacity: message.utf8.count + 128)
        json.raw("{\"error\":{\"message\":")
        json.string(message)
        json.raw(",\"type\":")
        json.string(type)
        json.raw(",\"param\":")
        if let param { json.string(param) } else { json.raw("null") }
        json.raw(",\"code\":")
        if let code { json.string(code) } else { json.raw("null") }
        json.raw("}}")
        return json.text
    }

    static func invalidRequest(_ message: String, param: String? = nil, code: String? = nil) -> OpenAIError {
        OpenAIError(status: .badRequest, message: message, type: "invalid_request_error", code: code, param: param)
    }

    static let unauthorized = OpenAIError(
        status: .unauthorized,
        message: "Incorrect API key provided. This TreeInstruct endpoint simulator requires the key it was started with.",
        type: "invalid_request_error", code: "invalid_api_key")

    static let streamingNotSupported = invalidRequest(
        "streaming not supported by the TreeInstruct endpoint simulator; send stream=false.", param: "stream",
        code: "unsupported_parameter")

    static let unparsableBody = invalidRequest(
        "We could not parse the JSON body of your request. The TreeInstruct endpoint simulator expects a JSON object.")

    static func bodyTooLarge(limit: Int) -> OpenAIError {
        OpenAIError(
            status: .contentTooLarge, message: "The request body exceeds \(limit) bytes.",
            type: "invalid_request_error", code: "request_too_large")
    }

    static func rateLimited(_ rejection: RateLimitRejection, model: String) -> OpenAIError {
        let unit = rejection.limit == .requests ? "requests per min (RPM)" : "tokens per min (TPM)"
        let wait = rejection.retryAfterSeconds.map { " Please try again in \(RateLimitHeaders.duration(seconds: $0))." } ?? ""
        return OpenAIError(
            status: .tooManyRequests,
            message:
                "Rate limit reached for \(model) (simulated) on \(unit): Limit \(rejection.limitValue), Requested \(rejection.requested).\(wait)",
            type: rejection.limit.rawValue, code: "rate_limit_exceeded")
    }

    static func requestTooLarge(_ rejection: RateLimitRejection, model: String) -> OpenAIError {
        OpenAIError(
            status: .tooManyRequests,
            message:
                "Request too large for \(model) (simulated) on tokens per min (TPM): Limit \(rejection.limitValue), Requested \(rejection.requested). Reduce the prompt or max_tokens.",
            type: "tokens", code: "rate_limit_exceeded")
    }

    static let serverError = OpenAIError(
        status: .internalServerError,
        message: "The server had an error while processing your request (simulated fault of the TreeInstruct endpoint simulator).",
        type: "server_error", code: nil)

    static let unavailable = OpenAIError(
        status: .serviceUnavailable,
        message: "The engine is currently overloaded, please try again later (simulated fault of the TreeInstruct endpoint simulator).",
        type: "server_error", code: "overloaded")

    static func hangEnded(after duration: Duration) -> OpenAIError {
        OpenAIError(
            status: .gatewayTimeout,
            message: "No answer within \(duration.milliseconds) ms (simulated hang of the TreeInstruct endpoint simulator).",
            type: "server_error", code: "timeout")
    }

    /// OpenAI's answer to an account whose credit ran out: a 429 that is not a rate limit.
    static let quotaExhausted = OpenAIError(
        status: .tooManyRequests,
        message:
            "You exceeded your current quota, please check your plan and billing details. (simulated by the TreeInstruct endpoint simulator)",
        type: "insufficient_quota", code: "insufficient_quota")

    /// What an endpoint answers while it is down.
    static let outage = OpenAIError(
        status: .serviceUnavailable, message: "The server is down for maintenance (simulated outage).", type: "server_error",
        code: "service_unavailable")

    /// The body for a configured fixed status, typed as OpenAI types that status.
    static func fixed(status code: Int) -> OpenAIError {
        let status = HTTPResponse.Status(code: code)
        let (type, errorCode): (String, String?) =
            switch code {
            case 401: ("invalid_request_error", "invalid_api_key")
            case 403: ("permission_error", "unsupported_country_region_territory")
            case 404: ("invalid_request_error", "model_not_found")
            case 429: ("requests", "rate_limit_exceeded")
            case 400..<500: ("invalid_request_error", nil)
            default: ("server_error", nil)
            }
        return OpenAIError(
            status: status, message: "Simulated HTTP \(code) (the TreeInstruct endpoint simulator answers every request with this status).",
            type: type, code: errorCode)
    }
}

extension OpenAIError {
    /// The answer of a server that does not take `format`, in the words real ones use; nil
    /// when it does.
    static func unsupported(_ format: ChatCompletionRequest.ResponseFormat, by forms: ServerLimits.Forms) -> OpenAIError? {
        switch (format, forms) {
        case (.text, _), (_, .all), (.jsonObject, .jsonObject): return nil
        case (.jsonSchema, .jsonObject):
            // llama-cpp-python's server: pydantic's message, as an internal error.
            return OpenAIError(
                status: .internalServerError,
                message: "1 validation error for CreateChatCompletionRequest\nresponse_format.type\n  Input should be 'text' or 'json_object'",
                type: "internal_server_error", code: nil, param: nil)
        case (.jsonObject, .text), (.jsonSchema, .text):
            return invalidRequest("response_format is not supported by this server.", param: "response_format")
        }
    }
}
