import AsyncHTTPClient
import EndpointSimulator
import Foundation
@testable import LLMClient
import Logging
import PostgresTestSupport
import TaskStore
import Testing
import TreeInstructCore
import Wiring

/// The structured-output form is found per endpoint and model, remembered for the cluster in
/// PostgreSQL, and never guessed from a failing endpoint. Real simulator over HTTP, real PostgreSQL.
@Suite("Dialect negotiation")
struct DialectNegotiationTests {
    static let quiet = ChatClientTests.quiet

    /// Runs `body` with a client that negotiates (no `--dialect`) against a simulator with `server` limits.
    static func negotiating<T: Sendable>(
        _ server: ServerLimits, faults: FaultProfile = .none, forced: StructuredOutputDialect? = nil,
        memory: (any DialectMemory)?, _ body: @Sendable (ChatClient, String) async throws -> T
    ) async throws -> T {
        let configuration = SimulatorConfiguration(port: 0, faults: faults, server: server)
        return try await SimulatorServer.withRunning(configuration, logger: quiet) { baseURL in
            let client = ChatClient(
                endpoint: EndpointConfiguration(baseURL: baseURL, dialect: forced, requestTimeout: .seconds(10)), dialectMemory: memory,
                logger: quiet)
            do {
                let result = try await body(client, baseURL)
                try await client.shutdown()
                return result
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    static func refusedForms(_ baseURL: String) async throws -> Int {
        let url = baseURL.replacingOccurrences(of: "/v1", with: "") + "/sim/stats"
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
        let stats = try JSONValue.parse(String(buffer: try await response.body.collect(upTo: 1 << 20)))
        guard case .number(let count)? = stats["totals"]?["refused_form"] else { return -1 }
        return Int(count)
    }

    static func validated(_ completion: ChatCompletion) -> Bool {
        let result = RewriteValidator(settings: ChatClientTests.settings)
            .validate(content: completion.content, finishReason: completion.finishReason, instruction: ChatClientTests.instruction)
        return (try? result.get()) != nil
    }

    @Test func aServerThatRefusesJSONSchemaIsAskedWithJSONObjectAndTheClusterRemembers() async throws {
        let database = try await TestPostgres.database()
        let memory = database.queue.health
        try await Self.negotiating(ServerLimits(forms: .jsonObject), memory: memory) { client, baseURL in
            let first = try await client.complete(ChatClientTests.prompt, model: "small")
            #expect(Self.validated(first))
            #expect(try await Self.refusedForms(baseURL) == 1, "json_schema was tried once")
            _ = try await client.complete(ChatClientTests.prompt, model: "small")
            #expect(try await Self.refusedForms(baseURL) == 1, "then json_object at once")
            let name = client.endpoint.publicName
            #expect(try await memory.recall(endpoint: name, model: "small") == .jsonObject)
            let stored = try await memory.recallDialect(endpoint: name, model: "small")
            #expect(stored == "json_object")
        }
        // Another worker of the cluster (a new client on a new server with the same limits and
        // the same remembered name would be the real case; here the memory is asked directly).
        let rows = try await database.client.query(
            "SELECT refused FROM \(unescaped: database.schema).endpoint_dialects WHERE model = 'small'")
        var refusedText: String?
        for try await text in rows.decode(String?.self) { refusedText = text }
        #expect(refusedText?.contains("json_schema: HTTP 500") == true, "\(refusedText ?? "nil")")
        #expect(refusedText?.contains("Input should be 'text' or 'json_object'") == true)
    }

    @Test func aWorkerStartedLaterUsesTheRememberedFormAtOnce() async throws {
        let database = try await TestPostgres.database()
        try await Self.negotiating(ServerLimits(forms: .jsonObject), memory: database.queue.health) { client, baseURL in
            try await database.queue.health.rememberDialect(
                "json_object", endpoint: client.endpoint.publicName, model: "m", refused: "json_schema: HTTP 500 (another worker)")
            #expect(Self.validated(try await client.complete(ChatClientTests.prompt, model: "m")))
            #expect(try await Self.refusedForms(baseURL) == 0)
        }
    }

    /// The server was swapped for one without json_schema: the remembered form is refused in so
    /// many words, so it is found again, and the cluster's record follows.
    @Test func aRememberedFormTheServerNowRefusesIsFoundAgain() async throws {
        let database = try await TestPostgres.database()
        try await Self.negotiating(ServerLimits(forms: .jsonObject), memory: database.queue.health) { client, baseURL in
            try await database.queue.health.rememberDialect("json_schema", endpoint: client.endpoint.publicName, model: "m", refused: nil)
            #expect(Self.validated(try await client.complete(ChatClientTests.prompt, model: "m")))
            #expect(try await Self.refusedForms(baseURL) == 1)
            #expect(try await database.queue.health.recall(endpoint: client.endpoint.publicName, model: "m") == .jsonObject)
        }
    }

    @Test func aServerWithoutStructuredOutputGetsThePromptAlone() async throws {
        try await Self.negotiating(ServerLimits(forms: .text), memory: nil) { client, baseURL in
            let completion = try await client.complete(ChatClientTests.prompt, model: "m")
            #expect(completion.httpStatus == 200)
            #expect(try await Self.refusedForms(baseURL) == 2)
            _ = try await client.complete(ChatClientTests.prompt, model: "m")
            #expect(try await Self.refusedForms(baseURL) == 2)
        }
    }

    @Test func anEndpointFailingEveryFormTeachesNothing() async throws {
        let database = try await TestPostgres.database()
        try await Self.negotiating(.none, faults: FaultProfile(fixedStatus: 500), memory: database.queue.health) { client, _ async throws in
            let error = await ChatClientTests.failure { try await client.complete(ChatClientTests.prompt, model: "m") }
            #expect(error?.kind == .serverError)
            #expect(error?.httpStatus == 500)
            #expect(try await database.queue.health.recallDialect(endpoint: client.endpoint.publicName, model: "m") == nil)
        }
    }

    @Test func aForcedDialectIsNeverNegotiated() async throws {
        try await Self.negotiating(ServerLimits(forms: .jsonObject), forced: .jsonSchema, memory: nil) { client, baseURL async throws in
            let error = await ChatClientTests.failure { try await client.complete(ChatClientTests.prompt, model: "m") }
            #expect(error?.httpStatus == 500)
            #expect(try await Self.refusedForms(baseURL) == 1)
        }
    }

    @Test func theRememberedNameCarriesNoCredentials() {
        let endpoint = EndpointConfiguration(baseURL: "https://user:s3cret@llm.example.com:8443/v1?api-key=abc#x")
        #expect(endpoint.publicName == "https://llm.example.com:8443/v1")
    }
}
