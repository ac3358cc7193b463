import AsyncHTTPClient
import EndpointSimulator
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Testing
import TreeInstructCore

/// Starts a simulator on 127.0.0.1:0 for one test, hands the test a client for it, and shuts it
/// down gracefully afterwards (bounded: a server that does not stop fails the test).
struct SimulatorHarness {
    let baseURL: String
    let server: SimulatorServer

    static let quietLogger = Logger(label: "sim-test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func with<T: Sendable>(
        _ configuration: SimulatorConfiguration = .init(),
        _ body: @Sendable (SimulatorHarness) async throws -> T
    ) async throws -> T {
        var configuration = configuration
        configuration.host = "127.0.0.1"
        configuration.port = 0
        let server = SimulatorServer(configuration: configuration, logger: quietLogger)
        let group = ServiceGroup(services: [server], logger: quietLogger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let port = try await server.boundPort()
            let harness = SimulatorHarness(baseURL: "http://127.0.0.1:\(port)", server: server)
            let result: Result<T, any Error>
            do { result = .success(try await body(harness)) } catch { result = .failure(error) }
            await group.triggerGracefulShutdown()
            let stopped = ContinuousClock.now
            try await tasks.waitForAll()
            #expect(ContinuousClock.now - stopped < .seconds(5), "the simulator took too long to stop")
            return try result.get()
        }
    }

    struct Reply: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: String

        var json: JSONValue? { try? JSONValue.parse(body) }

        func header(_ name: String) -> String? { headers.first(name: name) }

        /// choices[0].message.content and finish_reason of a chat completion.
        var content: String? {
            guard case .array(let choices) = json?["choices"], case .string(let text) = choices.first?["message"]?["content"] else { return nil }
            return text
        }

        var finishReason: String? {
            guard case .array(let choices) = json?["choices"], case .string(let reason) = choices.first?["finish_reason"] else { return nil }
            return reason
        }

        var errorType: String? {
            guard case .string(let type) = json?["error"]?["type"] else { return nil }
            return type
        }
    }

    func send(
        _ method: HTTPMethod = .POST, _ path: String, body: String? = nil, headers: [(String, String)] = [],
        contentType: String = "application/json", timeout: TimeAmount = .seconds(10)
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "content-type", value: contentType)
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let buffer = try await response.body.collect(upTo: 4 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: buffer))
    }

    /// A chat completion for `prompt`, with optional extra top-level fields (raw JSON).
    func chat(
        _ prompt: ChatPrompt, extra: String = "", headers: [(String, String)] = [],
        timeout: TimeAmount = .seconds(10)
    ) async throws -> Reply {
        try await send(.POST, "/v1/chat/completions", body: Self.body(prompt, extra: extra), headers: headers, timeout: timeout)
    }

    static func body(_ prompt: ChatPrompt, extra: String = "") -> String {
        let messages = prompt.messages.map { message -> JSONValue in
            ["role": .string(message.role.rawValue), "content": .string(message.content)]
        }
        var fields: [String: JSONValue] = ["model": "anything", "messages": .array(messages)]
        if let schema = prompt.responseSchema {
            fields["response_format"] = [
                "type": "json_schema", "json_schema": ["name": .string(schema.name), "strict": true, "schema": schema.schema],
            ]
        }
        let text = JSONValue.object(fields).compactText
        return extra.isEmpty ? text : String(text.dropLast()) + "," + extra + "}"
    }

    func stats() async throws -> JSONValue {
        let reply = try await send(.GET, "/sim/stats")
        return try #require(reply.json)
    }
}

extension JSONValue {
    var int: Int? {
        if case .number(let value) = self { return Int(value) }
        return nil
    }
}
