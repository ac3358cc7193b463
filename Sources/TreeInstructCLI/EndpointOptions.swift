import ArgumentParser
import LLMClient
import RateLimiting

/// Where the LLM is and how fast we may call it; shared by `work` and `local`.
struct EndpointOptions: ParsableArguments {
    @Option(name: .long, help: "OpenAI-compatible base URL, e.g. https://api.openai.com/v1 (env OPENAI_BASE_URL).")
    var baseURL: String?

    @Option(name: .long, help: "File holding the API key, as secrets are mounted (env OPENAI_API_KEY_FILE; or the key itself in OPENAI_API_KEY).")
    var apiKeyFile: String?

    @Option(name: .long, help: "Structured output dialect: json_schema (OpenAI, vLLM), json_object (llama.cpp), prompt (env TREEINSTRUCT_DIALECT).")
    var dialect: StructuredOutputDialect?

    @Option(name: .customLong("header"), help: "Extra request header 'Name: value' (repeatable).")
    var headers: [String] = []

    @Option(name: .long, help: "Seconds to wait for a connection (env TREEINSTRUCT_CONNECT_TIMEOUT, default 10).")
    var connectTimeout: Double?

    @Option(name: .long, help: "Seconds to wait for a whole answer (env TREEINSTRUCT_REQUEST_TIMEOUT, default 120).")
    var requestTimeout: Double?

    @Option(name: .long, help: "Connections per endpoint host (env TREEINSTRUCT_MAX_CONNECTIONS, default 64).")
    var maxConnections: Int?

    @Option(name: .long, help: "Requests per minute allowed for this endpoint and model (env TREEINSTRUCT_RPM).")
    var rpm: Double?

    @Option(name: .long, help: "Tokens per minute allowed for this endpoint and model (env TREEINSTRUCT_TPM).")
    var tpm: Double?

    @Option(name: .long, help: "Rate limit scope: cluster (shared through PostgreSQL by every worker) or local (env TREEINSTRUCT_RATE_SCOPE, default cluster).")
    var rateScope: RateScope?

    enum RateScope: String, ExpressibleByArgument, CaseIterable { case cluster, local }

    /// The endpoint, with the key from the file or OPENAI_API_KEY; fails naming what is missing.
    func endpoint(defaultBaseURL: String? = nil) throws -> EndpointConfiguration {
        guard let baseURL = Environment.string(baseURL, "OPENAI_BASE_URL", default: defaultBaseURL) else {
            throw ConfigurationError("no endpoint: pass --base-url or set OPENAI_BASE_URL")
        }
        var key: APIKey?
        if let file = Environment.string(apiKeyFile, "OPENAI_API_KEY_FILE") {
            key = try APIKey(contentsOfFile: file)
        } else if let secret = Environment.values["OPENAI_API_KEY"], !secret.isEmpty {
            key = APIKey(secret)
        }
        var extra: [String: String] = [:]
        for header in headers {
            guard let colon = header.firstIndex(of: ":") else { throw ConfigurationError("--header \"\(header)\" is not 'Name: value'") }
            extra[String(header[..<colon]).trimmingCharacters(in: .whitespaces)] =
                String(header[header.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        }
        let dialectName = Environment.string(dialect?.rawValue, "TREEINSTRUCT_DIALECT", default: "json_schema")!
        guard let resolvedDialect = StructuredOutputDialect(rawValue: dialectName) else {
            throw ConfigurationError("TREEINSTRUCT_DIALECT must be json_schema, json_object or prompt, got \"\(dialectName)\"")
        }
        return EndpointConfiguration(
            baseURL: baseURL, apiKey: key, dialect: resolvedDialect, extraHeaders: extra,
            connectTimeoutSeconds: try Environment.double(connectTimeout, "TREEINSTRUCT_CONNECT_TIMEOUT", default: 10)!,
            requestTimeoutSeconds: try Environment.double(requestTimeout, "TREEINSTRUCT_REQUEST_TIMEOUT", default: 120)!,
            maxConnectionsPerHost: try Environment.int(maxConnections, "TREEINSTRUCT_MAX_CONNECTIONS", default: 64)!)
    }

    func limits() throws -> RateLimits {
        RateLimits(requestsPerMinute: try Environment.double(rpm, "TREEINSTRUCT_RPM"),
                   tokensPerMinute: try Environment.double(tpm, "TREEINSTRUCT_TPM"))
    }

    func scope() throws -> RateScope {
        let name = Environment.string(rateScope?.rawValue, "TREEINSTRUCT_RATE_SCOPE", default: "cluster")!
        guard let scope = RateScope(rawValue: name) else { throw ConfigurationError("TREEINSTRUCT_RATE_SCOPE must be cluster or local, got \"\(name)\"") }
        return scope
    }
}

extension StructuredOutputDialect: ExpressibleByArgument {}
