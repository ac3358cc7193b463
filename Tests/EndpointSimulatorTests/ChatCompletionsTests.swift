import AsyncHTTPClient
import EndpointSimulator
import Foundation
import Testing
import TreeInstructCore

/// The endpoint over real HTTP on loopback: OpenAI's response shape, answers that pass the
/// validators for every template, request errors, authentication and the counters.
@Suite("Chat completions over HTTP")
struct ChatCompletionsTests {
    static let instruction = "Explain how vaccines train the immune system."
    static let settings = RewriteSettings(nodesToAdd: 3)

    @Test func responseHasOpenAIShapeAndSaysItIsASimulator() async throws {
        try await SimulatorHarness.with { sim in
            let prompt = RewritePrompt.make(instruction: Self.instruction, input: "", settings: Self.settings)
            let reply = try await sim.chat(prompt)
            #expect(reply.status == 200)
            #expect(reply.header("content-type") == "application/json")
            #expect(reply.header("x-treeinstruct-simulator") == "1")
            let json = try #require(reply.json)
            guard case .string(let id) = json["id"] else { Issue.record("no id"); return }
            #expect(id.hasPrefix("chatcmpl-"))
            #expect(json["object"] == "chat.completion")
            #expect(try #require(json["created"]?.int) > 1_700_000_000)
            #expect(json["model"] == .string(SimulatorConfiguration.defaultModel))
            #expect(json["system_fingerprint"] == "treeinstruct-simulator")
            guard case .array(let choices) = json["choices"], let choice = choices.first else { Issue.record("no choices"); return }
            #expect(choices.count == 1)
            #expect(choice["index"]?.int == 0)
            #expect(choice["message"]?["role"] == "assistant")
            #expect(choice["finish_reason"] == "stop")
            let usage = try #require(json["usage"])
            let promptTokens = try #require(usage["prompt_tokens"]?.int)
            let completionTokens = try #require(usage["completion_tokens"]?.int)
            #expect(promptTokens == (prompt.messages.reduce(0) { $0 + $1.content.unicodeScalars.count } + 3) / 4)
            #expect(completionTokens == ((reply.content ?? "").unicodeScalars.count + 3) / 4)
            #expect(usage["total_tokens"]?.int == promptTokens + completionTokens)
        }
    }

    @Test func everyTemplatePassesTheValidators() async throws {
        try await SimulatorHarness.with(.init(seed: 9)) { sim in
            for template in RewriteTemplate.allCases {
                let settings = RewriteSettings(nodesToAdd: 3, template: template)
                let input = "Measles, polio and influenza."
                let reply = try await sim.chat(RewritePrompt.make(instruction: Self.instruction, input: input, settings: settings))
                let content = try #require(reply.content)
                let result = RewriteValidator(settings: settings)
                    .validate(content: content, finishReason: reply.finishReason, instruction: Self.instruction, input: input)
                #expect(result.failureCode == nil, "\(template): \(result)")
            }
            let respond = try await sim.chat(ResponsePrompt.make(instruction: Self.instruction, input: ""))
            let result = ResponseValidator().validate(
                content: respond.content ?? "", finishReason: respond.finishReason, instruction: Self.instruction)
            #expect((try? result.get())?.contains("Simulated") == true)
            // The alias path without /v1 answers the same way.
            let alias = try await sim.send(
                .POST, "/chat/completions", body: SimulatorHarness.body(ResponsePrompt.make(instruction: Self.instruction, input: "")))
            #expect(alias.status == 200 && alias.content == respond.content)
        }
    }

    @Test func sameSeedReproducesAcrossServers() async throws {
        let prompt = RewritePrompt.make(instruction: Self.instruction, input: "", settings: Self.settings)
        let first = try await SimulatorHarness.with(.init(seed: 5)) { try await $0.chat(prompt).content }
        let second = try await SimulatorHarness.with(.init(seed: 5)) { try await $0.chat(prompt).content }
        #expect(first != nil && first == second)
    }

    @Test func maxTokensCutsTheAnswer() async throws {
        try await SimulatorHarness.with { sim in
            let reply = try await sim.chat(
                RewritePrompt.make(instruction: Self.instruction, input: "", settings: Self.settings),
                extra: "\"max_tokens\":10")
            #expect(reply.status == 200)
            #expect(reply.finishReason == "length")
            #expect(reply.content?.unicodeScalars.count == 40)
            #expect(reply.json?["usage"]?["completion_tokens"]?.int == 10)
        }
    }

    @Test func unrecognizedPromptAndModelsAndHealth() async throws {
        try await SimulatorHarness.with(.init(model: "sim-x")) { sim in
            let reply = try await sim.send(.POST, "/v1/chat/completions", body: #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}"#)
            #expect(reply.status == 200)
            #expect(reply.content?.contains("TreeInstruct endpoint simulator") == true)
            #expect(reply.json?["model"] == "sim-x")
            let jsonReply = try await sim.send(
                .POST, "/v1/chat/completions",
                body: #"{"messages":[{"role":"user","content":"Hi"}],"response_format":{"type":"json_object","schema":{"type":"object"}}}"#)
            #expect(try JSONValue.parse(jsonReply.content ?? "")["simulator"] == "treeinstruct")
            let models = try await sim.send(.GET, "/v1/models")
            guard case .array(let data) = models.json?["data"] else { Issue.record("no model list"); return }
            #expect(data.first?["id"] == "sim-x")
            let health = try await sim.send(.GET, "/healthz")
            #expect(health.status == 200 && health.header("x-treeinstruct-simulator") == "1")
            let missing = try await sim.send(.GET, "/v1/nothing")
            #expect(missing.status == 404 && missing.header("x-treeinstruct-simulator") == "1")
            #expect(missing.errorType == "invalid_request_error")
        }
    }

    @Test func badRequestsGet400() async throws {
        try await SimulatorHarness.with { sim in
            let stream = try await sim.send(.POST, "/v1/chat/completions", body: #"{"messages":[{"role":"user","content":"Hi"}],"stream":true}"#)
            #expect(stream.status == 400)
            #expect(stream.errorType == "invalid_request_error")
            #expect(stream.body.contains("streaming not supported"))
            for body in [
                "{not json", "[1,2]", #"{"messages":[]}"#, #"{"messages":[{"role":"user","content":"Hi"}],"response_format":{"type":"xml"}}"#,
                #"{"messages":[{"role":"user","content":"Hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"x"}}}"#,
                #"{"messages":[{"role":"user","content":"Hi"}],"max_tokens":-3}"#,
            ] {
                let reply = try await sim.send(.POST, "/v1/chat/completions", body: body)
                #expect(reply.status == 400, "\(body)")
                #expect(reply.json?["error"]?["message"] != nil, "\(body)")
            }
        }
    }

    @Test func apiKeyIsRequiredWhenConfigured() async throws {
        try await SimulatorHarness.with(.init(apiKey: "sk-test-123")) { sim in
            let body = #"{"messages":[{"role":"user","content":"Hi"}]}"#
            let missing = try await sim.send(.POST, "/v1/chat/completions", body: body)
            #expect(missing.status == 401)
            #expect(missing.json?["error"]?["code"] == "invalid_api_key")
            #expect(!missing.body.contains("sk-test-123"))
            let wrong = try await sim.send(.POST, "/v1/chat/completions", body: body, headers: [("authorization", "Bearer sk-test-124")])
            #expect(wrong.status == 401)
            let right = try await sim.send(.POST, "/v1/chat/completions", body: body, headers: [("authorization", "Bearer sk-test-123")])
            #expect(right.status == 200)
            #expect(try await sim.send(.GET, "/v1/models").status == 401)
            #expect(try await sim.send(.GET, "/healthz").status == 200)
        }
    }

    @Test func statsCountWhatHappened() async throws {
        try await SimulatorHarness.with { sim in
            let prompt = ResponsePrompt.make(instruction: Self.instruction, input: "")
            var completionTokens = 0
            for _ in 0..<3 {
                completionTokens += try await sim.chat(prompt).json?["usage"]?["completion_tokens"]?.int ?? 0
            }
            _ = try await sim.send(.POST, "/v1/chat/completions", body: "{oops")
            let stats = try await sim.stats()
            #expect(stats["simulator"] == true)
            let totals = try #require(stats["totals"])
            #expect(totals["requests"]?.int == 4)
            #expect(totals["succeeded"]?.int == 3)
            #expect(totals["bad_requests_400"]?.int == 1)
            #expect(totals["rate_limited_429"]?.int == 0)
            #expect(totals["completion_tokens"]?.int == completionTokens)
            #expect(try #require(totals["prompt_tokens"]?.int) > 0)
            #expect(stats["last_10s"]?["requests"]?.int == 4)
            #expect(stats["last_60s"]?["succeeded"]?.int == 3)
        }
    }

    @Test func manyConcurrentRequestsAllSucceed() async throws {
        try await SimulatorHarness.with { sim in
            let prompt = RewritePrompt.make(instruction: Self.instruction, input: "", settings: Self.settings)
            let statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        var statuses: [Int] = []
                        for _ in 0..<25 { statuses.append(try await sim.chat(prompt).status) }
                        return statuses
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(statuses.count == 200 && statuses.allSatisfy { $0 == 200 })
            #expect(try await sim.stats()["totals"]?["succeeded"]?.int == 200)
        }
    }
}
