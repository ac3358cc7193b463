import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TreeInstructCore

/// `POST /v1/chat/completions`: authenticate, read the body, build the answer, pass the rate
/// limits, then answer, or fail as the fault draw says. The answer is built before the limits
/// because a request without max_tokens costs its completion's tokens.
struct ChatCompletionsHandler: Sendable {
    let configuration: SimulatorConfiguration
    let state: SimulatorState
    let seed: UInt64
    let slots: SlotQueue?

    init(configuration: SimulatorConfiguration, state: SimulatorState, seed: UInt64) {
        self.configuration = configuration
        self.state = state
        self.seed = seed
        self.slots = configuration.server.slots.map(SlotQueue.init(slots:))
    }

    func handle(_ request: Request, context: SimulatorRequestContext) async -> Response {
        if !RequestAuthorization.allows(request, key: configuration.apiKey) {
            return error(echoing(request, in: .unauthorized), status: await state.recordEarly(.unauthorized))
        }
        if configuration.faults.quotaExhausted {
            return error(echoing(request, in: .quotaExhausted), status: await state.recordEarly(.quotaExhausted))
        }
        if await state.inOutage {
            return error(.outage, status: await state.recordEarly(.outage))
        }
        if let fixedStatus = configuration.faults.fixedStatus {
            return error(echoing(request, in: .fixed(status: fixedStatus)), status: await state.recordEarly(.fixedStatus))
        }
        let parsed: ChatCompletionRequest
        switch await readRequest(request) {
        case .success(let request): parsed = request
        case .failure(let problem): return error(problem, status: await state.recordEarly(.badRequest))
        }
        if let refusal = OpenAIError.unsupported(parsed.responseFormat, by: configuration.server.forms) {
            return error(refusal, status: await state.recordEarly(.refusedForm))
        }

        let planned = PlannedAnswer(parsed, seed: seed)
        let (promptTokens, completionTokens) = (planned.promptTokens, planned.completionTokens)
        let cost = promptTokens + (configuration.rateLimits.chargesMaxTokens ? (parsed.maxTokens ?? completionTokens) : completionTokens)

        switch await state.admit(
            promptTokens: promptTokens, completionTokens: completionTokens, tokenCost: cost, cutByMaxTokens: planned.cutByMaxTokens)
        {
        case .limited(let rejection):
            var response = error(.rateLimited(rejection, model: configuration.model), status: rejection.status)
            if let seconds = rejection.retryAfterSeconds {
                RateLimitHeaders.addRetryAfter(
                    seconds: seconds, format: configuration.rateLimits.retryAfterFormat,
                    nowUnix: Date().timeIntervalSince1970, to: &response.headers)
            }
            return response
        case .tooLarge(let rejection):
            return error(.requestTooLarge(rejection, model: configuration.model), status: rejection.status)
        case .admitted(let admitted):
            if let slots {
                await slots.acquire()
                try? await Task.sleep(for: admitted.delay)
                await slots.release()
            } else if admitted.delay > .zero {
                try? await Task.sleep(for: admitted.delay)
            }
            var random = SeededRandom(seed: admitted.seed)
            var completion = planned.response(
                id: "chatcmpl-sim-\(admitted.number)", created: Int(Date().timeIntervalSince1970), model: configuration.model)
            switch admitted.fault {
            case nil: break
            case .serverError: return error(.serverError, status: admitted.status)
            case .unavailable: return error(.unavailable, status: admitted.status)
            case .hang:
                await state.recordHangEnd(await SimulatedHang.hold(for: configuration.faults.hangDuration, channel: context.channel))
                return error(.hangEnded(after: configuration.faults.hangDuration), status: admitted.status)
            case .malformed:
                return respond(.ok, body: MalformedBody.make(from: completion.body, random: &random), status: admitted.status)
            case .invalidOutput:
                completion.content = planned.builder.invalidAnswer(random: &random)
                completion.finishReason = "stop"
            case .truncated:
                completion.content = AnswerBuilder.truncated(completion.content, random: &random)
                completion.finishReason = "length"
            case .refusal:
                completion.content = AnswerBuilder.refusal
                completion.finishReason = "stop"
            }
            if admitted.fault != nil { completion.completionTokens = TokenEstimate.of(completion.content) }
            return respond(.ok, body: completion.body, status: admitted.status)
        }
    }

    private func readRequest(_ request: Request) async -> Result<ChatCompletionRequest, OpenAIError> {
        await JSONRequestBody.read(request, limit: configuration.maxBodyBytes).flatMap(ChatCompletionRequest.parse)
    }

    /// `error`, quoting the request's Authorization header when the fault profile says so.
    private func echoing(_ request: Request, in error: OpenAIError) -> OpenAIError {
        guard configuration.faults.echoesAuthorization else { return error }
        var echoed = error
        echoed.message += " (received Authorization: \(request.headers[.authorization] ?? "none"))"
        return echoed
    }

    private func error(_ error: OpenAIError, status: RateLimitStatus) -> Response {
        respond(error.status, body: error.body, status: status)
    }

    private func respond(_ code: HTTPResponse.Status, body: String, status: RateLimitStatus) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        RateLimitHeaders.add(status, to: &headers)
        return Response(status: code, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
