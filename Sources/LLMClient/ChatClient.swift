import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import TreeInstructCore

/// Calls one OpenAI-compatible Chat Completions endpoint over a pooled async HTTP client.
///
/// Every failure comes back as an `LLMError` with its retry class; the key is only ever put in
/// the Authorization header. Call `shutdown()` when done (the client owns connections).
public final class ChatClient: Sendable {
    public let endpoint: EndpointConfiguration
    private let http: HTTPClient
    private let logger: Logger
    private let dialects: DialectNegotiation
    /// Responses larger than this are refused rather than buffered.
    static let maxBodyBytes = 8 << 20

    /// `dialectMemory` shares the negotiated structured-output dialect with the cluster (default: none).
    public init(
        endpoint: EndpointConfiguration, dialectMemory: (any DialectMemory)? = nil, logger: Logger = Logger(label: "treeinstruct.llm")
    ) {
        self.endpoint = endpoint
        self.logger = logger
        self.dialects = DialectNegotiation(endpoint: endpoint.publicName, memory: dialectMemory, logger: logger)
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = TimeAmount(endpoint.connectTimeout)
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60),
            concurrentHTTP1ConnectionsPerHostSoftLimit: endpoint.maxConnectionsPerHost)
        configuration.decompression = .enabled(limit: .ratio(50))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// The structured-output form in use for `model`: forced, or found by the calls so far (nil before).
    public func dialect(for model: String) async -> StructuredOutputDialect? {
        if let forced = endpoint.dialect { return forced }
        return await dialects.confirmed(for: model)
    }

    /// The endpoint's Batch API, on this client's connections and with the structured-output
    /// form its calls found for each model.
    public var batches: BatchClient { BatchClient(endpoint: endpoint, http: http, dialects: dialects, logger: logger) }

    public func shutdown() async throws {
        try await http.shutdown()
    }

    /// Sends `prompt` to `model`. Throws only `LLMError`.
    public func complete(
        _ prompt: ChatPrompt, model: String, temperature: Double? = nil, maxTokens: Int? = nil
    )
        async throws(LLMError) -> ChatCompletion
    {
        do {
            // A cancelled caller (a worker past its grace period) leaves at once, even if the
            // HTTP client's pool would keep the request waiting on a connection backoff.
            return try await abandoningOnCancel { try await self.negotiated(prompt, model: model, temperature: temperature, maxTokens: maxTokens) }
        } catch let error as LLMError {
            // Whatever came back from the endpoint is scrubbed of the secrets we sent.
            var scrubbed = error
            scrubbed.message = endpoint.redacted(error.message)
            throw scrubbed
        } catch {
            throw LLMError(kind: .connection, message: "cancelled before the endpoint answered")
        }
    }

    /// The structured-output dialect the configuration forces, or the ones `dialects` says to try:
    /// a form that may have been refused is followed by the next. When every form is refused,
    /// the first refusal is thrown (the endpoint fails on the request, not on a form); when a
    /// later form fails otherwise (a 429, a timeout), that error is thrown, as it is the news.
    /// A confirmed form that is refused in so many words (the server changed) is forgotten, and
    /// the forms are tried again.
    private func negotiated(
        _ prompt: ChatPrompt, model: String, temperature: Double?, maxTokens: Int?
    ) async throws(LLMError)
        -> ChatCompletion
    {
        if let forced = endpoint.dialect {
            return try await call(prompt, model: model, temperature: temperature, maxTokens: maxTokens, dialect: forced)
        }
        guard prompt.responseSchema != nil else {
            return try await call(prompt, model: model, temperature: temperature, maxTokens: maxTokens, dialect: .promptOnly)
        }
        var candidates = await dialects.candidates(for: model)
        var refusals: [(dialect: StructuredOutputDialect, error: LLMError)] = []
        if candidates.count == 1 {
            let confirmed = candidates[0]
            do {
                return try await call(prompt, model: model, temperature: temperature, maxTokens: maxTokens, dialect: confirmed)
            } catch {
                guard DialectNegotiation.refusesForm(error) else { throw error }
                await dialects.forget(confirmed, model: model, because: Self.refusalText(confirmed, error, endpoint: endpoint))
                refusals.append((confirmed, error))
                candidates = DialectNegotiation.order.filter { $0 != confirmed }
            }
        }
        for dialect in candidates {
            do {
                let completion = try await call(prompt, model: model, temperature: temperature, maxTokens: maxTokens, dialect: dialect)
                await dialects.accepted(
                    dialect, model: model, refusals: refusals.map { Self.refusalText($0.dialect, $0.error, endpoint: endpoint) })
                return completion
            } catch {
                guard DialectNegotiation.mayBeRefusal(error) else { throw error }
                guard dialect != candidates.last else { throw refusals.first?.error ?? error }
                refusals.append((dialect, error))
            }
        }
        throw refusals.first?.error ?? LLMError(kind: .clientError, message: "no structured-output dialect to try")
    }

    /// "json_schema: HTTP 500 1 validation error ...": one line, secrets scrubbed, for the log and endpoint_dialects.
    static func refusalText(_ dialect: StructuredOutputDialect, _ error: LLMError, endpoint: EndpointConfiguration) -> String {
        let message = endpoint.redacted(error.message).split(whereSeparator: \.isNewline).joined(separator: " ")
        return "\(dialect.rawValue): HTTP \(error.httpStatus ?? 0) \(message.prefix(160))"
    }

    private func call(
        _ prompt: ChatPrompt, model: String, temperature: Double?, maxTokens: Int?, dialect: StructuredOutputDialect
    ) async throws(LLMError) -> ChatCompletion {
        let body = ChatRequestBody(
            prompt: prompt, model: model, temperature: temperature, maxTokens: maxTokens,
            dialect: dialect)
        var request = HTTPClientRequest(url: endpoint.chatCompletionsURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        for (name, value) in endpoint.extraHeaders { request.headers.replaceOrAdd(name: name, value: value) }
        if let key = endpoint.apiKey, !key.isEmpty { request.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(key.secret)") }
        request.body = .bytes(ByteBuffer(string: body.text))

        let started = ContinuousClock.now
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await http.execute(request, timeout: TimeAmount(endpoint.requestTimeout), logger: logger)
        } catch {
            var failure = Self.classifyTransport(error, timeout: endpoint.requestTimeout)
            failure.beforeAnyByte = true
            throw failure
        }
        do {
            bytes = try await response.body.collect(upTo: Self.maxBodyBytes)
        } catch {
            throw Self.classifyTransport(error, timeout: endpoint.requestTimeout)
        }
        let latency = ContinuousClock.now - started
        let limits = RateLimitHeaders { response.headers.first(name: $0) }
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let (message, code) = Self.errorMessage(in: bytes)
            throw LLMError.classify(status: status, message: message, errorCode: code, retryAfter: limits.suggestedWait)
        }
        let decoded: ChatResponseBody
        do {
            decoded = try bytes.withUnsafeReadableBytes { try ChatResponseBody(bytes: $0.bindMemory(to: UInt8.self)) }
        } catch {
            throw LLMError(kind: .malformedBody, httpStatus: status, message: "unreadable response body: \(Self.preview(bytes))")
        }
        return try decoded.completion(status: status, latency: latency, rateLimits: limits)
    }

    /// Network-level failures: all retryable, told apart for the failure_reasons view.
    static func classifyTransport(_ error: any Error, timeout: Duration) -> LLMError {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return LLMError(kind: .timeout, message: "no complete answer within \(timeout.inSeconds.formatted()) s")
            case .connectTimeout:
                return LLMError(kind: .timeout, message: "connecting timed out")
            default:
                return LLMError(kind: .connection, message: Self.plainTransportText(error))
            }
        }
        if error is NIOTooManyBytesError {
            return LLMError(kind: .malformedBody, message: "response body over \(maxBodyBytes) bytes")
        }
        return LLMError(kind: .connection, message: Self.plainTransportText(error))
    }

    /// NIO's words for the common cases ("connection reset (error set): Connection refused)
    /// (errno: 111)") as an operator would say them; anything else as it is, shortened.
    static func plainTransportText(_ error: any Error) -> String {
        let text = String(describing: error)
        for (needle, plain) in [
            ("Connection refused", "connection refused"), ("Connection reset by peer", "connection reset by the endpoint"),
            ("remoteConnectionClosed", "the endpoint closed the connection"), ("No route to host", "no route to host"),
            ("Network is unreachable", "network unreachable"),
        ] where text.contains(needle) {
            return plain
        }
        return String(text.prefix(300))
    }

    /// The message and code of an error body, in the shapes OpenAI, vLLM, llama.cpp's server and
    /// Ollama use: `{"error": {"message", "code"}}`, `{"error": "text"}`, `{"detail": ...}`, `{"message": ...}`.
    static func errorMessage(in bytes: ByteBuffer) -> (message: String, code: String?) {
        let text = String(buffer: bytes)
        guard let value = try? JSONValue.parse(text) else { return (preview(bytes), nil) }
        func string(_ value: JSONValue?) -> String? {
            switch value {
            case .string(let text)?: text
            case .number(let number)?: String(Int(number))
            default: nil
            }
        }
        if case .object(let error)? = value["error"] {
            let code = string(error["code"]) ?? string(error["type"])
            return (string(error["message"]) ?? preview(bytes), code)
        }
        if let message = string(value["error"]) ?? string(value["message"]) ?? string(value["detail"]) {
            return (String(message.prefix(300)), nil)
        }
        if case .array(let details)? = value["detail"], let first = details.first {
            return (String((string(first["msg"]) ?? first.compactText).prefix(300)), nil)
        }
        return (preview(bytes), nil)
    }

    static func preview(_ bytes: ByteBuffer) -> String {
        let text = String(buffer: bytes).replacingOccurrences(of: "\n", with: " ")
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
