import ArgumentParser
import Foundation
import LLMClient
import Logging
import TreeInstructCore

/// `probe --endpoint`: one small rewrite against the LLM endpoint, as a worker would send it, to
/// learn before a run whether the endpoint answers, which structured-output form it takes
/// (the negotiation's notice goes to standard error) and whether the answer passes validation.
enum EndpointProbe {
    static let instruction = "Give three tips for staying healthy."

    static func run(_ endpoint: EndpointConfiguration, model: String, logger: Logger) async throws {
        let client = ChatClient(endpoint: endpoint, logger: logger)
        let settings = RewriteSettings(nodesToAdd: 3)
        let config = RunConfig(rewrite: settings, model: model)
        let started = ContinuousClock.now
        let outcome: Result<ChatCompletion, LLMError>
        do {
            outcome = .success(
                try await client.complete(
                    RewritePrompt.make(instruction: instruction, input: "", settings: settings), model: model,
                    maxTokens: config.completionTokenLimit(for: .rewrite)))
        } catch {
            outcome = .failure(error)
        }
        let dialect = await client.dialect(for: model)
        await WorkerAssembly.shutDown(client)
        let seconds = String(format: "%.1f", (ContinuousClock.now - started).inSeconds)
        switch outcome {
        case .failure(let error):
            FileHandle.standardError.write(
                Data("probe: \(endpoint.publicName) model \(model) failed after \(seconds) s: \(error.description)\n".utf8))
            throw ExitCode(69)
        case .success(let completion):
            let verdict: String
            switch RewriteValidator(settings: settings).validate(
                content: completion.content, finishReason: completion.finishReason, instruction: instruction)
            {
            case .success: verdict = "the rewrite passes validation"
            case .failure(let rejection):
                verdict = "the rewrite is rejected: \(rejection.code.rawValue) (\(PrintableName.shown(rejection.detail, limit: 120)))"
            }
            print(
                "\(endpoint.publicName) model \(model) answered in \(seconds) s (\(completion.completionTokens.map { "\($0)" } ?? "?") tokens); "
                    + "structured output: \(dialect?.rawValue ?? "none needed"); \(verdict)")
        }
    }
}
