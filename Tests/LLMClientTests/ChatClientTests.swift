import EndpointSimulator
import Foundation
@testable import LLMClient
import Logging
import Testing
import TreeInstructCore

/// The client against the simulator over real HTTP on loopback.
@Suite("Chat client")
struct ChatClientTests {
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    static let settings = RewriteSettings(nodesToAdd: 3)
    static let instruction = "Give three tips for staying healthy."
    static var prompt: ChatPrompt { RewritePrompt.make(instruction: instruction, input: "", settings: settings) }

    static func simulate<T: Sendable>(
        _ configuration: SimulatorConfiguration = .init(), dialect: StructuredOutputDialect = .jsonSchema,
        key: APIKey? = nil, requestTimeout: Double = 10,
        _ body: @Sendable (ChatClient) async throws -> T
    ) async throws -> T {
        var configuration = configuration
        configuration.port = 0
        return try await SimulatorServer.withRunning(configuration, logger: quiet) { baseURL in
            let client = ChatClient(
                endpoint: EndpointConfiguration(
                    baseURL: baseURL, apiKey: key, dialect: dialect,
                    requestTimeout: .seconds(requestTimeout)), logger: quiet)
            do {
                let result = try await body(client)
                try await client.shutdown()
                return result
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    static func failure(_ body: () async throws -> ChatCompletion) async -> LLMError? {
        do {
            _ = try await body()
            return nil
        } catch {
            return error as? LLMError
        }
    }

    @Test(arguments: StructuredOutputDialect.allCases)
    func answersPassValidationInEveryDialect(dialect: StructuredOutputDialect) async throws {
        try await Self.simulate(dialect: dialect) { client in
            let completion = try await client.complete(Self.prompt, model: "m")
            #expect(completion.httpStatus == 200)
            #expect(completion.finishReason == "stop")
            #expect((completion.promptTokens ?? 0) > 100)
            #expect((completion.completionTokens ?? 0) > 10)
            let validated = RewriteValidator(settings: Self.settings)
                .validate(content: completion.content, finishReason: completion.finishReason, instruction: Self.instruction)
            #expect(throws: Never.self) { try validated.get() }
        }
    }

    @Test func requestBodyFollowsTheDialect() throws {
        func encode(_ dialect: StructuredOutputDialect) throws -> String {
            let text = ChatRequestBody(prompt: Self.prompt, model: "m", temperature: 0.2, maxTokens: 900, dialect: dialect).text
            #expect(try JSONValue.parse(text)["model"] == "m")
            return text
        }
        let schema = try encode(.jsonSchema)
        #expect(schema.contains(#""type":"json_schema""#) && schema.contains(#""strict":true"#) && schema.contains(#""max_tokens":900"#))
        let object = try encode(.jsonObject)
        #expect(object.contains(#""type":"json_object""#) && object.contains(#""schema":{"#))
        #expect(!(try encode(.promptOnly)).contains("response_format"))
    }

    /// The body is written field by field with the schema's text inserted as written once; it
    /// must be the very text the whole body as one JSON value renders to (sorted keys, compact).
    @Test(arguments: [StructuredOutputDialect.jsonSchema, .jsonObject, .promptOnly])
    func requestBodyIsTheCompactJSONOfItsFields(dialect: StructuredOutputDialect) throws {
        let schema = try #require(Self.prompt.responseSchema)
        var fields: [String: JSONValue] = [
            "model": "m", "temperature": 0.2, "max_tokens": 900,
            "messages": .array(Self.prompt.messages.map { ["role": .string($0.role.rawValue), "content": .string($0.content)] }),
        ]
        switch dialect {
        case .jsonSchema:
            fields["response_format"] = [
                "type": "json_schema", "json_schema": ["name": .string(schema.name), "schema": schema.schema, "strict": true],
            ]
        case .jsonObject: fields["response_format"] = ["type": "json_object", "schema": schema.schema]
        case .promptOnly: break
        }
        let text = ChatRequestBody(prompt: Self.prompt, model: "m", temperature: 0.2, maxTokens: 900, dialect: dialect).text
        #expect(text == JSONValue.object(fields).compactText)
        #expect(try JSONValue.parse(text) == .object(fields))
        let bare = ChatRequestBody(prompt: Self.prompt, model: "m", temperature: nil, maxTokens: nil, dialect: dialect).text
        #expect(try JSONValue.parse(bare)["temperature"] == nil && JSONValue.parse(bare)["max_tokens"] == nil)
    }

    @Test func rateLimitedWithRetryAfterInSeconds() async throws {
        try await Self.simulate(.init(rateLimits: .init(requestsPerMinute: 60, burstSeconds: 1))) { client in
            _ = try await client.complete(Self.prompt, model: "m")
            let error = await Self.failure { try await client.complete(Self.prompt, model: "m") }
            #expect(error?.kind == .rateLimited)
            #expect(error?.code == "http_429")
            #expect(error?.isRetryable == true)
            let wait = try #require(error?.retryAfter)
            #expect(wait > .zero && wait <= .milliseconds(1010))
        }
    }

    @Test func rateLimitedWithRetryAfterAsADate() async throws {
        try await Self.simulate(.init(rateLimits: .init(requestsPerMinute: 6, burstSeconds: 10, retryAfterFormat: .httpDate))) { client in
            _ = try await client.complete(Self.prompt, model: "m")
            let error = await Self.failure { try await client.complete(Self.prompt, model: "m") }
            #expect(error?.kind == .rateLimited)
            let wait = try #require(error?.retryAfter)
            #expect(wait > .zero && wait <= .seconds(11))
        }
    }

    @Test func retryAfterParsing() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let date = RateLimitHeaders({ ["retry-after": "Tue, 14 Nov 2023 22:13:50 GMT"][$0] }, now: now)
        #expect(date.retryAfter == .seconds(30))
        #expect(RateLimitHeaders({ ["retry-after": "7"][$0] }).retryAfter == .seconds(7))
        #expect(RateLimitHeaders({ ["retry-after-ms": "250", "retry-after": "9"][$0] }).retryAfter == .milliseconds(250))
        let reset = RateLimitHeaders({
            [
                "x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "6m0s",
                "x-ratelimit-remaining-requests": "3", "x-ratelimit-reset-requests": "120ms",
            ][$0]
        })
        #expect(reset.suggestedWait == .seconds(360))
        #expect(reset.resetRequests == .milliseconds(120))
        #expect(RateLimitHeaders({ ["x-ratelimit-reset-requests": "1h2m3.5s"][$0] }).resetRequests == .milliseconds(3_723_500))
    }

    @Test(arguments: [
        (500, LLMError.Kind.serverError, true), (503, .serverError, true), (400, .badRequest, false),
        (401, .unauthorized, false), (403, .unauthorized, false), (404, .notFound, false),
        (422, .unprocessable, false), (408, .timeout, true),
    ])
    func statusClasses(status: Int, kind: LLMError.Kind, retryable: Bool) async throws {
        try await Self.simulate(.init(faults: .init(fixedStatus: status))) { client in
            let error = await Self.failure { try await client.complete(Self.prompt, model: "m") }
            #expect(error?.kind == kind)
            #expect(error?.httpStatus == status)
            #expect(error?.isRetryable == retryable)
            #expect(error?.message.isEmpty == false)
        }
    }

    @Test func malformedBodyIsRetryable() async throws {
        try await Self.simulate(.init(faults: .init(malformed: 1))) { client in
            let error = await Self.failure { try await client.complete(Self.prompt, model: "m") }
            #expect(error?.kind == .malformedBody)
            #expect(error?.isRetryable == true)
        }
    }

    @Test func hangTimesOut() async throws {
        try await Self.simulate(.init(faults: .init(hang: 1, hangDuration: .seconds(30))), requestTimeout: 0.5) { client in
            let started = ContinuousClock.now
            let error = await Self.failure { try await client.complete(Self.prompt, model: "m") }
            #expect(error?.kind == .timeout)
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    @Test func connectionRefused() async throws {
        let client = ChatClient(endpoint: EndpointConfiguration(baseURL: "http://127.0.0.1:9/v1", connectTimeout: .seconds(2)), logger: Self.quiet)
        let error = await Self.failure { try await client.complete(Self.prompt, model: "m") }
        try await client.shutdown()
        #expect(error?.kind == .connection)
        #expect(error?.isRetryable == true)
    }

    @Test func truncatedAndRefusedAnswersReachTheValidator() async throws {
        try await Self.simulate(.init(faults: .init(truncated: 1))) { client in
            let completion = try await client.complete(Self.prompt, model: "m")
            #expect(completion.finishReason == "length")
        }
        try await Self.simulate(.init(faults: .init(refusal: 1))) { client in
            let completion = try await client.complete(Self.prompt, model: "m")
            let result = RewriteValidator(settings: Self.settings)
                .validate(content: completion.content, finishReason: completion.finishReason, instruction: Self.instruction)
            #expect(throws: Rejection.self) { try result.get() }
        }
    }

    @Test func theKeyIsNeverShown() {
        let key = APIKey("sk-test-\(UUID().uuidString)")
        #expect("\(key)" == "<redacted>")
        #expect(String(reflecting: key) == "APIKey(<redacted>)")
        #expect(!"\(EndpointConfiguration(baseURL: "http://x", apiKey: key))".contains("sk-test"))
    }

    @Test func wrongKeyIsUnauthorized() async throws {
        var configuration = SimulatorConfiguration()
        configuration.apiKey = "right-key"
        try await Self.simulate(configuration, key: APIKey("right-key")) { client in
            _ = try await client.complete(Self.prompt, model: "m")
        }
        try await Self.simulate(configuration, key: APIKey("wrong-key")) { client in
            let error = await Self.failure { try await client.complete(Self.prompt, model: "m") }
            #expect(error?.kind == .unauthorized)
            #expect(error?.description.contains("wrong-key") == false)
        }
    }

    /// An endpoint that quotes our Authorization header in its error bodies: the error the
    /// client hands on (to logs, attempts.detail, failure_reasons) holds no key.
    @Test(arguments: [401, 400])
    func echoedSecretsAreRedacted(status: Int) async throws {
        let key = "sk-test-0123456789-secret"
        var configuration = SimulatorConfiguration()
        configuration.apiKey = status == 401 ? "sk-another-key-entirely" : key
        configuration.faults.echoesAuthorization = true
        configuration.faults.fixedStatus = status == 401 ? nil : status
        let error = try await Self.simulate(configuration, key: APIKey(key)) { client in
            await Self.failure { try await client.complete(Self.prompt, model: "m") }
        }
        #expect(error?.httpStatus == status)
        #expect(error?.message.contains("Bearer <redacted>") == true, "\(String(describing: error))")
        #expect(error.map { !"\($0)".contains(key) } == true)
    }
}
