import Foundation

/// How the endpoint wants a JSON Schema: servers differ, so it is negotiated (`DialectNegotiation`)
/// unless the user forces one.
public enum StructuredOutputDialect: String, Sendable, Hashable, CaseIterable, Codable {
    /// `response_format: {type: json_schema, json_schema: {name, schema, strict}}`: OpenAI, vLLM.
    case jsonSchema = "json_schema"
    /// `response_format: {type: json_object, schema}`: llama.cpp's server (and Ollama's OpenAI API
    /// takes the json_object part).
    case jsonObject = "json_object"
    /// No response_format: the prompt alone asks for JSON, for servers that support neither.
    case promptOnly = "prompt"
}

/// One OpenAI-compatible endpoint: where it is, how to authenticate, how long to wait.
public struct EndpointConfiguration: Sendable, Hashable {
    /// Base URL up to and including the API version, e.g. `https://api.openai.com/v1`.
    public var baseURL: String
    public var apiKey: APIKey?
    /// How structured answers are asked for; nil (the default) finds out per model on the first
    /// calls (`DialectNegotiation`), a value forces that form.
    public var dialect: StructuredOutputDialect?
    /// Sent with every request (organization or project headers, gateways' own keys).
    public var extraHeaders: [String: String]
    /// How long opening a connection may take (default 10 s).
    public var connectTimeout: Duration
    /// How long one call may take from request to its last byte (default 120 s).
    public var requestTimeout: Duration
    /// HTTP/1.1 connections kept per host; in-flight calls beyond it queue in the client.
    public var maxConnectionsPerHost: Int

    public init(
        baseURL: String, apiKey: APIKey? = nil, dialect: StructuredOutputDialect? = nil,
        extraHeaders: [String: String] = [:], connectTimeout: Duration = .seconds(10),
        requestTimeout: Duration = .seconds(120), maxConnectionsPerHost: Int = 64
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.dialect = dialect
        self.extraHeaders = extraHeaders
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.maxConnectionsPerHost = maxConnectionsPerHost
    }

    var chatCompletionsURL: String { baseURL + "/chat/completions" }

    /// The base URL without credentials or query (user:password@, ?key=...): the name under
    /// which the cluster remembers things about this endpoint, safe to store and show.
    public var publicName: String {
        guard var parts = URLComponents(string: baseURL) else { return "endpoint" }
        parts.user = nil
        parts.password = nil
        parts.query = nil
        parts.fragment = nil
        return parts.string ?? "endpoint"
    }

    /// `text` with every secret this configuration sends (the API key, and the values of extra
    /// headers long enough to be credentials) replaced: endpoints may echo request headers in
    /// their error bodies, and those reach logs, attempts.detail and failure_reasons.
    public func redacted(_ text: String) -> String {
        var secrets = extraHeaders.values.filter { $0.count >= 8 }
        if let key = apiKey, !key.isEmpty { secrets.append(key.secret) }
        return secrets.sorted { $0.count > $1.count }.reduce(text) { $0.replacingOccurrences(of: $1, with: "<redacted>") }
    }
}
