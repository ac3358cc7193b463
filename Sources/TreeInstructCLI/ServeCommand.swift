import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TaskStore
import TreeInstructCore
import Viewer

/// A read-only web viewer over the task store.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a read-only web viewer: runs with live progress, shards, failures, and each row's rewrites and trees.",
        discussion: """
            Binds 127.0.0.1 unless --host says otherwise. With the monitor role it shows progress only; \
            rows and texts need the coordinator role. With an access token (a file or TREEINSTRUCT_VIEWER_TOKEN; \
            never a flag, which ps would show) every request must present it: open /?token=… once in the browser.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(name: .long, help: "Address to listen on (default 127.0.0.1: this machine only).") var host = "127.0.0.1"
    @Option(name: .long, help: "Port, 0...65535 (default 8321; 0 picks a free one).") var port = 8321
    @Option(name: .long, help: "File holding the access token (env TREEINSTRUCT_VIEWER_TOKEN; default none).") var tokenFile: String?
    @Option(name: .long, parsing: .unconditional, help: "Price per million prompt tokens, to show cost.") var promptPrice: Double?
    @Option(name: .long, parsing: .unconditional, help: "Price per million completion tokens, to show cost.") var completionPrice: Double?

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535, got \(port).") }
        try Check.range("--prompt-price", promptPrice, StatusCommand.priceRange)
        try Check.range("--completion-price", completionPrice, StatusCommand.priceRange)
    }

    /// The token from --token-file or TREEINSTRUCT_VIEWER_TOKEN, checked; nil when neither is set.
    func accessToken() throws -> String? {
        var token: String?
        var source = "TREEINSTRUCT_VIEWER_TOKEN"
        if let tokenFile {
            guard let data = FileManager.default.contents(atPath: tokenFile) else { throw UsageError("cannot read the token file \(tokenFile)") }
            token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            source = "the token file \(tokenFile)"
        } else if let value = Environment.values["TREEINSTRUCT_VIEWER_TOKEN"], !value.isEmpty {
            token = value
        }
        if let token, let problem = ViewerConfiguration.tokenProblem(token) { throw UsageError("the access token in \(source) \(problem)") }
        return token
    }

    func run() async throws {
        let configuration = ViewerConfiguration(
            host: host, port: port, accessToken: try accessToken(),
            prices: TokenPrices(prompt: promptPrice, completion: completionPrice))
        let address = "\(host.contains(":") ? "[\(host)]" : host)"
        if configuration.accessToken == nil, !["127.0.0.1", "::1", "localhost"].contains(host) {
            FileHandle.standardError.write(
                Data(
                    "warning: serving on \(address) with no access token: whoever reaches that address reads every instruction and answer (set TREEINSTRUCT_VIEWER_TOKEN or --token-file)\n"
                        .utf8))
        }
        try await database.withDatabase { database in
            let logger = Logger(label: "treeinstruct.serve")
            let server = ViewerServer(configuration: configuration, queue: database.queue, logger: logger) { port in
                let note = configuration.accessToken == nil ? "" : " (open /?token=<your token> once)"
                // Written unbuffered, so a script reading our output sees the address at once.
                FileHandle.standardOutput.write(Data("TreeInstruct viewer at http://\(address):\(port)/\(note)\n".utf8))
            }
            let group = ServiceGroup(configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await PortInUse.naming("\(address):\(configuration.port)", option: "--port") { try await group.run() }
        }
    }
}
