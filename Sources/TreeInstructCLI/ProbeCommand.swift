import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging

/// Asks a worker's own probe endpoint whether it is alive or ready, so container health checks
/// need no curl in the image.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Exit 0 when http://HOST:PORT/PATH answers 200 (a Docker HEALTHCHECK for `work --metrics-port`).",
        discussion: """
            With --endpoint it probes the LLM endpoint instead: one small rewrite, as a worker sends it, \
            reporting the time, the structured-output form the server takes (json_schema, json_object or the \
            prompt alone; found as workers find it unless --dialect forces one) and whether the answer passes \
            validation. Exit 69 when the endpoint does not answer.
            """
    )

    @Flag(name: .customLong("endpoint"), help: "Probe the LLM endpoint (--base-url or OPENAI_BASE_URL) instead of a worker.")
    var probesEndpoint = false
    @Option(name: .long, help: "With --endpoint, the model to ask (env TREEINSTRUCT_MODEL, default gpt-4o-mini).") var model: String?
    @OptionGroup var llm: EndpointOptions

    @Option(help: "Host of the worker's metrics endpoint.") var host = "127.0.0.1"
    @Option(help: "Port of the worker's metrics endpoint (env TREEINSTRUCT_METRICS_PORT).")
    var port: Int?
    @Option(help: "Path to ask: /healthz (alive) or /readyz (claiming work).") var path = "/healthz"
    @Option(help: "Seconds to wait for the answer.") var timeout = 3.0

    func run() async throws {
        if probesEndpoint {
            // The result goes to standard output, what the negotiation found to standard error.
            var logger = Logger(label: "treeinstruct.probe", factory: { StreamLogHandler.standardError(label: $0) })
            logger.logLevel = .notice
            return try await EndpointProbe.run(
                try llm.endpoint(), model: Environment.string(model, "TREEINSTRUCT_MODEL", default: "gpt-4o-mini")!, logger: logger)
        }
        guard let port = try Environment.int(port, "--port", "TREEINSTRUCT_METRICS_PORT", in: WorkCommand.portRange) else {
            throw ValidationError("give --port or TREEINSTRUCT_METRICS_PORT")
        }
        var request = HTTPClientRequest(url: "http://\(host):\(port)\(path)")
        request.method = .GET
        let status: UInt
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
            status = response.status.code
        } catch {
            FileHandle.standardError.write(Data("probe: \(request.url) did not answer: \(error)\n".utf8))
            throw ExitCode(1)
        }
        guard status == 200 else {
            FileHandle.standardError.write(Data("probe: \(request.url) answered \(status)\n".utf8))
            throw ExitCode(1)
        }
        print("ok")
    }
}
