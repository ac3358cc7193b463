import AsyncHTTPClient
import EndpointSimulator
import Foundation
import Testing
import TreeInstructCore

/// Each fault kind at probability 1 over HTTP, and the fixed error status.
@Suite("Fault injection over HTTP")
struct FaultInjectionTests {
    static let instruction = "List three uses of copper in electronics."
    static let settings = RewriteSettings(nodesToAdd: 3)
    static var prompt: ChatPrompt { RewritePrompt.make(instruction: instruction, input: "", settings: settings) }

    static func faults(_ faults: FaultProfile) -> SimulatorConfiguration { .init(faults: faults) }

    @Test func serverErrorAndUnavailable() async throws {
        try await SimulatorHarness.with(Self.faults(.init(serverError: 1))) { sim in
            let reply = try await sim.chat(Self.prompt)
            #expect(reply.status == 500)
            #expect(reply.errorType == "server_error")
            #expect(try await sim.stats()["totals"]?["faults"]?["server_error_500"]?.int == 1)
        }
        try await SimulatorHarness.with(Self.faults(.init(unavailable: 1))) { sim in
            let reply = try await sim.chat(Self.prompt)
            #expect(reply.status == 503)
            #expect(reply.json?["error"]?["code"] == "overloaded")
        }
    }

    @Test func hangAnswers504AfterTheHangDuration() async throws {
        try await SimulatorHarness.with(Self.faults(.init(hang: 1, hangDuration: .milliseconds(300)))) { sim in
            let start = ContinuousClock.now
            let reply = try await sim.chat(Self.prompt)
            #expect(ContinuousClock.now - start >= .milliseconds(290))
            #expect(reply.status == 504)
            #expect(try await sim.stats()["hangs_ended"]?["elapsed"]?.int == 1)
        }
    }

    @Test func hangEndsWhenTheClientGivesUpAndDoesNotDelayShutdown() async throws {
        try await SimulatorHarness.with(Self.faults(.init(hang: 1, hangDuration: .seconds(60)))) { sim in
            await #expect(throws: (any Error).self) { try await sim.chat(Self.prompt, timeout: .milliseconds(300)) }
            // Patient (a loaded machine notices the closed connection late); it ends once seen.
            var clientLeft = 0
            for _ in 0..<400 where clientLeft == 0 {
                try await Task.sleep(for: .milliseconds(50))
                clientLeft = try await sim.stats()["hangs_ended"]?["client_left"]?.int ?? 0
            }
            #expect(clientLeft == 1)
            // Another hung request is still open when the harness shuts the server down; the
            // harness fails the test if stopping takes 5 s or more.
            Task { _ = try? await sim.chat(Self.prompt, timeout: .seconds(30)) }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// The client gives up during the answer's latency, before its hang starts: the hang must
    /// see at once that it is gone (a watch put in only when the hang began never saw the read
    /// side close, and held the request for the whole hang).
    @Test func aHangWhoseClientLeftBeforeItBeganEndsAtOnce() async throws {
        var configuration = Self.faults(.init(hang: 1, hangDuration: .seconds(60)))
        configuration.latency = LatencyProfile(milliseconds: 600)
        try await SimulatorHarness.with(configuration) { sim in
            await #expect(throws: (any Error).self) { try await sim.chat(Self.prompt, timeout: .milliseconds(200)) }
            var clientLeft = 0
            for _ in 0..<400 where clientLeft == 0 {
                try await Task.sleep(for: .milliseconds(50))
                clientLeft = try await sim.stats()["hangs_ended"]?["client_left"]?.int ?? 0
            }
            #expect(clientLeft == 1, "within 20 s, not after the 60 s hang")
        }
    }

    @Test func malformedBodyIsNotJSON() async throws {
        try await SimulatorHarness.with(.init(faults: .init(malformed: 1), seed: 1)) { sim in
            for _ in 0..<6 {
                let reply = try await sim.chat(Self.prompt)
                #expect(reply.status == 200)
                #expect(reply.json == nil, "\(reply.body.prefix(80))")
            }
        }
    }

    @Test func invalidOutputFailsValidationInAWellFormedEnvelope() async throws {
        try await SimulatorHarness.with(.init(faults: .init(invalidOutput: 1), seed: 3)) { sim in
            for template in RewriteTemplate.allCases {
                let settings = RewriteSettings(nodesToAdd: 3, template: template)
                for _ in 0..<6 {
                    let reply = try await sim.chat(RewritePrompt.make(instruction: Self.instruction, input: "", settings: settings))
                    #expect(reply.status == 200 && reply.finishReason == "stop")
                    let content = try #require(reply.content)
                    let result = RewriteValidator(settings: settings).validate(content: content, finishReason: "stop", instruction: Self.instruction)
                    #expect(result.failureCode != nil, "accepted: \(content)")
                }
            }
        }
    }

    @Test func truncatedHasFinishReasonLength() async throws {
        try await SimulatorHarness.with(Self.faults(.init(truncated: 1))) { sim in
            let reply = try await sim.chat(Self.prompt)
            #expect(reply.status == 200)
            #expect(reply.finishReason == "length")
            let content = try #require(reply.content)
            #expect(throws: (any Error).self) { try JSONValue.parse(content) }
            let result = RewriteValidator(settings: Self.settings).validate(content: content, finishReason: "length", instruction: Self.instruction)
            #expect(result.failureCode == .truncated)
        }
    }

    @Test func refusalIsARefusal() async throws {
        try await SimulatorHarness.with(Self.faults(.init(refusal: 1))) { sim in
            let reply = try await sim.chat(Self.prompt)
            #expect(reply.content == AnswerBuilder.refusal)
            let result = RewriteValidator(settings: Self.settings).validate(
                content: reply.content ?? "", finishReason: reply.finishReason, instruction: Self.instruction)
            #expect(result.failureCode == .refusal)
        }
    }

    @Test(arguments: [400, 401, 404, 422])
    func fixedStatusForEveryRequest(status: Int) async throws {
        try await SimulatorHarness.with(Self.faults(.init(fixedStatus: status))) { sim in
            let reply = try await sim.chat(Self.prompt)
            #expect(reply.status == status)
            #expect(reply.json?["error"]?["message"] != nil)
            if status == 401 { #expect(reply.json?["error"]?["code"] == "invalid_api_key") }
            #expect(try await sim.send(.GET, "/healthz").status == 200)
        }
    }

    @Test func faultRatesMixAsConfigured() async throws {
        try await SimulatorHarness.with(.init(faults: .init(serverError: 0.5), seed: 7)) { sim in
            var errors = 0
            for _ in 0..<100
            where try await sim.send(.POST, "/v1/chat/completions", body: #"{"messages":[{"role":"user","content":"Hi"}]}"#).status == 500 {
                errors += 1
            }
            #expect((30...70).contains(errors), "\(errors) of 100")
        }
    }

    @Test func invalidConfigurationFailsToStart() async throws {
        let server = SimulatorServer(configuration: .init(port: 0, faults: .init(hang: 2)), logger: SimulatorHarness.quietLogger)
        await #expect(throws: SimulatorError.self) { try await server.run() }
        await #expect(throws: SimulatorError.self) { try await server.boundPort() }
    }
}
