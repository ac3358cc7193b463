import Foundation
import Logging
import RateLimiting
import TreeInstructCore

/// Does one task: builds its prompt, waits for rate budget, calls the endpoint, validates the
/// answer and records the outcome, fenced by the task's lease.
struct TaskProcessor: Sendable {
    let store: any LeaseStore
    let completions: CompletionBatcher
    let watch: EndpointWatch
    let chat: any ChatCompleting
    let limiter: RateLimiter
    let estimator = TokenEstimator()
    let configs: RunConfigCache
    let workerID: String
    let backoff: Backoff
    let metrics: WorkerMetrics
    let logger: Logger

    /// `callReturned` runs once the endpoint has answered (or failed), before the outcome is
    /// written, with what the call tells about the server's load.
    func process(_ task: ClaimedTask, callReturned: @Sendable (AdaptiveConcurrency.Sample) async -> Void = { _ in }) async throws {
        let config = try await configs.config(for: task.runID)
        let (prompt, model) = Self.prompt(for: task, config: config)
        let maxTokens = config.completionTokenLimit(for: task.stage)
        let waitStarted = ContinuousClock.now
        let guess = await estimator.estimate(prompt, maxTokens: maxTokens)
        let permit = try await limiter.acquire(estimatedTokens: guess.total)
        let callStarted = ContinuousClock.now
        metrics.rateLimitWait.record(duration: callStarted - waitStarted)
        metrics.inFlight.increment()
        let answer: Result<ChatCompletion, any Error>
        do {
            answer = .success(try await chat.complete(prompt, model: model, temperature: config.temperature, maxTokens: maxTokens))
        } catch {
            answer = .failure(error)
        }
        metrics.inFlight.decrement()
        let latency = ContinuousClock.now - callStarted
        // A wait that matters next to the call itself: the limiter's own batching of permits
        // (a few milliseconds) is not a budget that binds.
        await callReturned(
            AdaptiveConcurrency.Sample(
                started: callStarted, latency: latency, outcome: Self.load(told: answer),
                waitedForBudget: callStarted - waitStarted > max(.milliseconds(50), latency / 10)))
        let completion: ChatCompletion
        switch answer {
        case .success(let answered):
            completion = answered
            await watch.answered()
        case .failure(let error):
            try Task.checkCancellation()
            try await handle(error, of: task, permit: permit)
            return
        }
        metrics.latency.record(duration: completion.latency)
        metrics.promptTokens.increment(by: Int64(completion.promptTokens ?? 0))
        metrics.completionTokens.increment(by: Int64(completion.completionTokens ?? 0))
        await estimator.observe(guess, promptTokens: completion.promptTokens, completionTokens: completion.completionTokens)
        let charged = limiter.tokenCharging.charged(
            guess, promptTokens: completion.promptTokens, completionTokens: completion.completionTokens, maxTokens: maxTokens)
        let headers = completion.rateLimits
        await limiter.finish(
            permit, actualTokens: charged,
            outcome: .answered(
                RateLimitSignals(
                    limitRequests: headers.limitRequests, limitTokens: headers.limitTokens, remainingRequests: headers.remainingRequests,
                    remainingTokens: headers.remainingTokens, reset: headers.suggestedWait)))
        let report = CallReport(
            model: completion.model ?? model, promptTokens: completion.promptTokens,
            completionTokens: completion.completionTokens,
            latencyMilliseconds: Int(completion.latency.inSeconds * 1000), httpStatus: completion.httpStatus)
        switch Self.validate(completion, of: task, config: config) {
        case .success(let output):
            let followUp = FollowUp.after(task, output: output, config: config)
            let outcome = try await completions.complete(
                Completion(
                    task: task, output: output, followUp: followUp,
                    difficulty: config.difficulty(afterRound: task.round), report: report))
            if outcome == .stale { metrics.staleCompletions.increment() } else { metrics.accepted() }
        case .failure(let rejection):
            metrics.rejected(code: rejection.code.rawValue)
            let failure = AttemptFailure(
                outcome: "rejected", code: rejection.code.rawValue, detail: rejection.detail, retryable: true, answer: completion.content)
            _ = try await store.fail(
                task, workerID: workerID, failure: failure,
                retryDelay: backoff.delay(afterAttempt: task.attempt) / 4, report: report)
        }
    }

    private func handle(_ error: any Error, of task: ClaimedTask, permit: RateLimiter.Permit) async throws {
        guard let error = error as? LLMError else { throw error }
        metrics.errored(code: error.code, throttled: error.kind == .rateLimited)
        if error.kind == .rateLimited {
            await limiter.finish(permit, actualTokens: 0, outcome: .throttled(retryAfter: error.retryAfter))
        } else {
            await limiter.finish(permit, actualTokens: nil, outcome: .failed)
        }
        let refusal = error.kind == .quotaExhausted || error.kind == .unauthorized || error.kind == .notFound
        // A refusal (spent quota, bad key, unknown model) is the endpoint's answer to us, not to
        // the task: on record under its code (failure_reasons shows http_401, quota_exhausted),
        // no attempt used, due again at once. The endpoint's faults cost no attempt once the
        // cluster holds it down (its tasks wait for the probe), nor ever when nothing reached it
        // (refused, reset, DNS, TLS). Other failures, and faults of an endpoint that answers
        // others, may be the task's own.
        var (endpointAtFault, endpointDown) = (refusal, false)
        if error.isEndpointFault {
            endpointDown = await watch.fault(error) != .up
            endpointAtFault = endpointDown || (error.kind == .connection && error.beforeAnyByte)
        } else if !refusal {
            await watch.answered()
        }
        let delay = refusal || endpointDown ? .zero : max(error.retryAfter ?? .zero, backoff.delay(afterAttempt: task.attempt))
        let failure = AttemptFailure(
            outcome: "error", code: error.code, detail: error.message, retryable: refusal || error.isRetryable,
            countsAsAttempt: error.kind != .rateLimited && !endpointAtFault)
        _ = try await store.fail(
            task, workerID: workerID, failure: failure, retryDelay: delay,
            report: CallReport(httpStatus: error.httpStatus))
        switch error.kind {
        case .quotaExhausted:
            await watch.quotaExhausted(error)
            if watch.policy.onQuota == .stop { throw QuotaExhausted(detail: error.description) }
        case .unauthorized, .notFound:
            throw EndpointUnusable(error: error)
        default:
            break
        }
    }

    /// Prompts and checks read the instruction's own words: an input pasted at its end too is
    /// sent and counted once (`PastedInput`).
    static func prompt(for task: ClaimedTask, config: RunConfig) -> (ChatPrompt, String) {
        let instruction = PastedInput.ownWords(of: task.instruction, input: task.input)
        return switch task.stage {
        case .rewrite:
            (RewritePrompt.make(instruction: instruction, input: task.input, settings: config.rewrite), config.model)
        case .respond:
            (ResponsePrompt.make(instruction: instruction, input: task.input), config.respondModel ?? config.model)
        }
    }

    static func validate(_ completion: ChatCompletion, of task: ClaimedTask, config: RunConfig) -> Result<TaskOutput, Rejection> {
        checks(completion, of: task, config: config).mapError { rejection in
            guard rejection.code == .truncated else { return rejection }
            // Which limit cut it, and how to lift it.
            return Rejection(
                .truncated,
                "\(rejection.detail), at max_tokens \(config.completionTokenLimit(for: task.stage)) (\(config.completionTokenLimitSource(for: task.stage)))"
            )
        }
    }

    private static func checks(_ completion: ChatCompletion, of task: ClaimedTask, config: RunConfig) -> Result<TaskOutput, Rejection> {
        let instruction = PastedInput.ownWords(of: task.instruction, input: task.input)
        return switch task.stage {
        case .rewrite:
            RewriteValidator(settings: config.rewrite)
                .validate(content: completion.content, finishReason: completion.finishReason, instruction: instruction, input: task.input)
                .map(TaskOutput.rewrite)
        case .respond:
            ResponseValidator()
                .validate(content: completion.content, finishReason: completion.finishReason, instruction: instruction, input: task.input)
                .map(TaskOutput.response)
        }
    }

    /// What a call's outcome says about the server's load: a timeout or a 503 says too much is
    /// asked at once. A 429 is the rate limiter's business (requests or tokens per minute, not
    /// calls at once).
    static func load(told answer: Result<ChatCompletion, any Error>) -> AdaptiveConcurrency.Sample.Outcome {
        switch answer {
        case .success: return .answered
        case .failure(let error as LLMError):
            if error.kind == .timeout || error.httpStatus == 503 { return .overloaded }
            return .other
        case .failure: return .other
        }
    }
}
