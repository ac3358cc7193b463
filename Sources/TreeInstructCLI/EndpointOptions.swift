import ArgumentParser
import Foundation
import LLMClient
import RateLimiting
import TreeInstructCore
import Workers

/// Where the LLM is and how fast we may call it; shared by `work` and `local`.
struct EndpointOptions: ParsableArguments {
    @Option(name: .long, help: "OpenAI-compatible base URL, e.g. https://api.openai.com/v1 (env OPENAI_BASE_URL).")
    var baseURL: String?

    @Option(name: .long, help: "File holding the API key, as secrets are mounted (env OPENAI_API_KEY_FILE; or the key itself in OPENAI_API_KEY).")
    var apiKeyFile: String?

    @Option(
        name: .long,
        help:
            "Structured output form: auto (find out on the first calls and remember it for the cluster), json_schema (OpenAI, vLLM), json_object (llama.cpp), prompt (env TREEINSTRUCT_DIALECT, default auto)."
    )
    var dialect: String?

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

    @Option(
        name: .long,
        help: "Rate limit scope: cluster (shared through PostgreSQL by every worker) or local (env TREEINSTRUCT_RATE_SCOPE, default cluster).")
    var rateScope: RateScope?

    enum RateScope: String, ExpressibleByArgument, CaseIterable { case cluster, local }

    @Option(
        name: .long,
        help:
            "How the provider counts tokens/min: admission (prompt + max_tokens, nothing given back, as OpenAI does) or usage (env TREEINSTRUCT_TOKEN_CHARGING, default admission)."
    )
    var tokenCharging: String?

    @Option(
        name: .long,
        help:
            "When the provider says the quota is spent: stop every worker, or pause them all until it answers (env TREEINSTRUCT_ON_QUOTA, default stop)."
    )
    var onQuota: String?

    @Option(
        name: .long, parsing: .unconditional,
        help: "Seconds between probes of an endpoint that is down, \(Self.probeIntervalRange) (env TREEINSTRUCT_PROBE_INTERVAL, default 10).")
    var probeInterval: Double?

    @Option(
        name: .long, parsing: .unconditional,
        help: "Endpoint faults in a row, cluster-wide, that mark it down, \(Self.faultThresholdRange) (env TREEINSTRUCT_FAULT_THRESHOLD, default 5).")
    var faultThreshold: Int?

    static let probeIntervalRange = 1.0...3600
    static let faultThresholdRange = 1...10_000

    static let connectTimeoutRange = 0.1...600.0
    /// Up to a day: a slow local model on a CPU may take many minutes per answer.
    static let requestTimeoutRange = 1.0...86_400
    static let maxConnectionsRange = 1...4096
    static let requestsPerMinuteRange = 1.0...100_000_000
    static let tokensPerMinuteRange = 1.0...10_000_000_000

    /// Checks every setting (flags and their variables) before anything starts.
    func validateAll() throws {
        _ = try endpointIfConfigured()
        _ = try limits()
        _ = try scope()
        _ = try healthPolicy(key: "check")
    }

    /// How workers share the endpoint's health under `key` (the rate budget's key).
    func healthPolicy(key: String) throws -> EndpointHealthPolicy {
        let action = Environment.string(onQuota, "TREEINSTRUCT_ON_QUOTA", default: "stop")!
        guard let quotaAction = EndpointHealthPolicy.QuotaAction(rawValue: action) else {
            throw UsageError(
                "\(onQuota == nil ? "TREEINSTRUCT_ON_QUOTA" : "--on-quota") must be stop or pause, got \"\(PrintableName.shown(action, limit: 40))\"")
        }
        return EndpointHealthPolicy(
            key: key,
            faultThreshold: try Environment.int(
                faultThreshold, "--fault-threshold", "TREEINSTRUCT_FAULT_THRESHOLD", default: 5, in: Self.faultThresholdRange)!,
            probeEvery: .seconds(
                try Environment.double(
                    probeInterval, "--probe-interval", "TREEINSTRUCT_PROBE_INTERVAL", default: 10, in: Self.probeIntervalRange)!),
            onQuota: quotaAction)
    }

    /// The endpoint if a base URL is set, checked; nil without one (`local --simulate`).
    func endpointIfConfigured() throws -> EndpointConfiguration? {
        Environment.string(baseURL, "OPENAI_BASE_URL") == nil ? nil : try endpoint()
    }

    /// The endpoint, with the key from the file or OPENAI_API_KEY; fails naming what is missing.
    func endpoint(defaultBaseURL: String? = nil) throws -> EndpointConfiguration {
        guard let baseURL = Environment.string(baseURL, "OPENAI_BASE_URL", default: defaultBaseURL) else {
            throw UsageError("no endpoint: pass --base-url or set OPENAI_BASE_URL")
        }
        guard let url = URL(string: baseURL), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host?.isEmpty == false else {
            let source = self.baseURL == nil ? "OPENAI_BASE_URL" : "--base-url"
            throw UsageError(
                "\(source) must be an http:// or https:// URL such as https://api.openai.com/v1, got \"\(PrintableName.shown(baseURL, limit: 60))\"")
        }
        var key: APIKey?
        if let file = Environment.string(apiKeyFile, "OPENAI_API_KEY_FILE") {
            key = try APIKey(contentsOfFile: file)
        } else if let secret = Environment.values["OPENAI_API_KEY"], !secret.isEmpty {
            key = APIKey(secret)
        }
        var extra: [String: String] = [:]
        for header in headers {
            guard let colon = header.firstIndex(of: ":") else { throw UsageError("--header \"\(header)\" is not 'Name: value'") }
            extra[String(header[..<colon]).trimmingCharacters(in: .whitespaces)] =
                String(header[header.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        }
        let dialectName = Environment.string(dialect, "TREEINSTRUCT_DIALECT", default: "auto")!
        let resolvedDialect = StructuredOutputDialect(rawValue: dialectName)
        guard resolvedDialect != nil || dialectName == "auto" else {
            throw UsageError(
                "\(dialect == nil ? "TREEINSTRUCT_DIALECT" : "--dialect") must be auto, json_schema, json_object or prompt, got \"\(PrintableName.shown(dialectName, limit: 40))\""
            )
        }
        return EndpointConfiguration(
            baseURL: baseURL, apiKey: key, dialect: resolvedDialect, extraHeaders: extra,
            connectTimeout: .seconds(
                try Environment.double(
                    connectTimeout, "--connect-timeout", "TREEINSTRUCT_CONNECT_TIMEOUT", default: 10,
                    in: Self.connectTimeoutRange)!),
            requestTimeout: .seconds(
                try Environment.double(
                    requestTimeout, "--request-timeout", "TREEINSTRUCT_REQUEST_TIMEOUT", default: 120,
                    in: Self.requestTimeoutRange)!),
            maxConnectionsPerHost: try Environment.int(
                maxConnections, "--max-connections", "TREEINSTRUCT_MAX_CONNECTIONS", default: 64,
                in: Self.maxConnectionsRange)!)
    }

    func limits() throws -> RateLimits {
        let charging = Environment.string(tokenCharging, "TREEINSTRUCT_TOKEN_CHARGING", default: "admission")!
        guard let resolvedCharging = TokenCharging(rawValue: charging) else {
            throw UsageError(
                "\(tokenCharging == nil ? "TREEINSTRUCT_TOKEN_CHARGING" : "--token-charging") must be admission or usage, got \"\(PrintableName.shown(charging, limit: 40))\""
            )
        }
        return RateLimits(
            requestsPerMinute: try Environment.double(rpm, "--rpm", "TREEINSTRUCT_RPM", in: Self.requestsPerMinuteRange),
            tokensPerMinute: try Environment.double(tpm, "--tpm", "TREEINSTRUCT_TPM", in: Self.tokensPerMinuteRange),
            tokenCharging: resolvedCharging)
    }

    func scope() throws -> RateScope {
        let name = Environment.string(rateScope?.rawValue, "TREEINSTRUCT_RATE_SCOPE", default: "cluster")!
        guard let scope = RateScope(rawValue: name) else { throw UsageError("TREEINSTRUCT_RATE_SCOPE must be cluster or local, got \"\(name)\"") }
        return scope
    }
}
