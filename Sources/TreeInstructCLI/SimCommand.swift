import ArgumentParser
import EndpointSimulator
import Foundation
import Logging
import ServiceLifecycle

/// `treeinstruct sim`: an OpenAI-compatible endpoint that answers TreeInstruct's prompts with
/// valid (or, on request, faulty) answers, for demos, tests and benchmarks without a model.
struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Serve a simulated OpenAI-compatible endpoint (not a model) with latency, rate limits and faults.",
        discussion: """
            POST /v1/chat/completions (and /chat/completions), GET /v1/models, /healthz, /sim/stats, \
            and OpenAI's Batch API: /v1/files (multipart upload, metadata, content, delete) and /v1/batches \
            (create, retrieve, cancel, list), with batches done after --batch-delay-seconds. \
            Fault rates are probabilities per admitted request, drawn after the rate-limit check. \
            Token cost = prompt characters/4 + max_tokens (or the answer's tokens; --charge-usage: always the answer's). \
            Stop with Ctrl-C or SIGTERM.
            """
    )

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8089
    @Option(help: "Mean latency of an answer, in milliseconds.") var latencyMs = 800
    @Option(help: "Uniform jitter around the mean latency, in milliseconds.") var jitterMs = 400
    @Option(help: "Requests per minute (unlimited when omitted).") var rpm: Int?
    @Option(help: "Tokens per minute (unlimited when omitted).") var tpm: Int?
    @Option(help: "Bucket capacity in seconds of the per-minute limit.") var burstSeconds = 1.0
    @Flag(help: "Write Retry-After as an HTTP-date instead of seconds.") var retryAfterDate = false
    @Flag(help: "Charge a request's real completion tokens against --tpm, not its max_tokens (charged at admission by default, as OpenAI does).")
    var chargeUsage = false
    @Option(name: .customLong("fail-500"), help: "Probability of HTTP 500.") var fail500 = 0.0
    @Option(name: .customLong("fail-503"), help: "Probability of HTTP 503.") var fail503 = 0.0
    @Option(help: "Probability of a hang (no answer until --hang-seconds, then 504).") var hang = 0.0
    @Option(help: "How long a hang lasts, in seconds.") var hangSeconds = 120.0
    @Option(help: "Probability of a 200 with a malformed (non-JSON or cut-off) body.") var malformed = 0.0
    @Option(help: "Probability of a well-formed answer that fails validation.") var invalidOutput = 0.0
    @Option(help: "Probability of a cut answer with finish_reason length.") var truncated = 0.0
    @Option(help: "Probability of a refusal as the answer.") var refusal = 0.0
    @Option(help: "Answer every chat completion with this HTTP error status (e.g. 401, 404, 422).") var status: Int?
    @Flag(help: "Quote the request's Authorization header in error bodies, as some gateways do.") var echoAuthorization = false
    @Flag(help: "Answer every chat completion 429 insufficient_quota, as a provider does when the credit ran out.") var quotaExhausted = false
    @Option(help: "Start an outage (every chat completion answered 503) this many seconds after starting.") var outageAfter: Double?
    @Option(help: "How long the outage lasts, in seconds (with --outage-after; default 180).") var outageSeconds = 180.0
    @Option(help: "Requests answered at once; the rest wait their turn, like a llama.cpp server with that many slots (default: no limit).")
    var slots: Int?
    @Option(
        help:
            "Structured-output forms taken: all; json_object (json_schema gets HTTP 500, as llama-cpp-python answers it); text (any response_format gets 400). Default all."
    )
    var forms: ServerLimits.Forms = .all
    @Option(help: "Seconds from a batch's creation to completed (in_progress after a tenth, finalizing the last tenth).")
    var batchDelaySeconds = 2.0
    @Option(help: "The completion window batches get, in seconds (a batch not done within it expires; OpenAI's is 24 h).")
    var batchWindowSeconds = 86_400.0
    @Option(help: "Probability that a batch request fails (error-file line with status 500).") var batchFail = 0.0
    @Option(help: "Probability that a batch answer is well-formed but fails validation.") var batchInvalidOutput = 0.0
    @Option(help: "Every Nth batch created expires at its window's end with about half its requests answered (default: none).")
    var batchExpireEvery: Int?
    @Option(help: "Requests per batch input file (OpenAI's limit).") var batchMaxRequests = BatchProfile.openAIMaxRequests
    @Option(help: "Bytes per uploaded file (OpenAI's limit, 200 MB).") var batchMaxFileBytes = BatchProfile.openAIMaxFileBytes
    @Option(help: "Unfinished batches at once; one more gets 400 batch_limit_exceeded (default: no limit).") var batchMaxOpen: Int?
    @Option(help: "Seed for every random choice, so runs reproduce.") var seed: UInt64?
    @Option(help: "Model id to report.") var model = SimulatorConfiguration.defaultModel
    @Option(help: "File holding the API key clients must send as a Bearer token.") var apiKeyFile: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535.") }
        guard latencyMs >= 0, jitterMs >= 0 else { throw ValidationError("--latency-ms and --jitter-ms must not be negative.") }
        guard rpm.map({ $0 > 0 }) ?? true, tpm.map({ $0 > 0 }) ?? true else { throw ValidationError("--rpm and --tpm must be positive.") }
        guard burstSeconds > 0 else { throw ValidationError("--burst-seconds must be positive.") }
        guard hangSeconds >= 0 else { throw ValidationError("--hang-seconds must not be negative.") }
        guard slots.map({ (1...100_000).contains($0) }) ?? true else { throw ValidationError("--slots must be between 1 and 100000.") }
        if let problem = faults.problem ?? batch.problem { throw ValidationError(problem) }
    }

    var batch: BatchProfile {
        BatchProfile(
            completionDelay: .seconds(batchDelaySeconds), window: .seconds(batchWindowSeconds), failureRate: batchFail,
            invalidOutputRate: batchInvalidOutput, expireEvery: batchExpireEvery, maxRequests: batchMaxRequests,
            maxFileBytes: batchMaxFileBytes, maxOpenBatches: batchMaxOpen)
    }

    var faults: FaultProfile {
        FaultProfile(
            serverError: fail500, unavailable: fail503, hang: hang, malformed: malformed, invalidOutput: invalidOutput,
            truncated: truncated, refusal: refusal, hangDuration: .seconds(hangSeconds), fixedStatus: status,
            echoesAuthorization: echoAuthorization, quotaExhausted: quotaExhausted,
            outage: outageAfter.map { OutageWindow(after: .seconds($0), lasting: .seconds(outageSeconds)) })
    }

    func simulatorConfiguration() throws -> SimulatorConfiguration {
        var apiKey: String?
        if let apiKeyFile {
            let key = try String(contentsOfFile: apiKeyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !key.isEmpty else { throw ValidationError("--api-key-file \(apiKeyFile) is empty.") }
            apiKey = key
        }
        return SimulatorConfiguration(
            host: host, port: port, model: model, apiKey: apiKey,
            latency: LatencyProfile(milliseconds: latencyMs, jitterMilliseconds: jitterMs),
            rateLimits: RateLimitConfiguration(
                requestsPerMinute: rpm, tokensPerMinute: tpm, burstSeconds: burstSeconds,
                retryAfterFormat: retryAfterDate ? .httpDate : .seconds, chargesMaxTokens: !chargeUsage),
            faults: faults, server: ServerLimits(forms: forms, slots: slots), seed: seed, batch: batch)
    }

    func run() async throws {
        let configuration = try simulatorConfiguration()
        var logger = Logger(label: "treeinstruct.sim")
        logger.logLevel = .warning
        let server = SimulatorServer(configuration: configuration, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await PortInUse.naming("\(configuration.host):\(configuration.port)", option: "--port") {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                tasks.addTask {
                    guard let port = try? await server.boundPort() else { return }
                    let shownHost = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
                    let line = "TreeInstruct endpoint simulator (a simulator, not a model) at http://\(shownHost):\(port)/v1 — \(configuration)\n"
                    // Written unbuffered, so a script reading our output sees the URL at once.
                    FileHandle.standardOutput.write(Data(line.utf8))
                }
                try await tasks.waitForAll()
            }
        }
    }
}

extension ServerLimits.Forms: ExpressibleByArgument {}
