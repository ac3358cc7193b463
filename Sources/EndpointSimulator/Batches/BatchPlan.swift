import TreeInstructCore

/// What happens to each request of a batch, drawn once at creation from the batch's seed: the
/// order requests run in (shuffled, so clients cannot rely on input order; the files are
/// written in it) and each one's outcome. The same seed and file give the same plan.
struct BatchPlan: Sendable {
    enum Outcome: Sendable {
        case answer(ChatCompletionRequest, invalid: Bool)
        /// An error-file line with this status and body: a body the model refused (400) or a
        /// simulated provider failure (500).
        case failure(OpenAIError)

        var isFailure: Bool {
            if case .failure = self { return true }
            return false
        }
    }

    struct Step: Sendable {
        var request: BatchRequestLine
        var outcome: Outcome
        /// Seeds this request's ids and any faulty answer.
        var seed: UInt64
    }

    /// In run order.
    let steps: [Step]

    init(requests: [BatchRequestLine], profile: BatchProfile, forms: ServerLimits.Forms, seed: UInt64) {
        var random = SeededRandom(seed: seed)
        var order = Array(requests.indices)
        order.shuffle(using: &random)
        steps = order.map { index in
            let request = requests[index]
            let draw = random.unit()
            let outcome: Outcome
            switch ChatCompletionRequest.parse(request.body) {
            case .failure(let error): outcome = .failure(error)
            case .success(let parsed):
                if let refusal = OpenAIError.unsupported(parsed.responseFormat, by: forms) {
                    outcome = .failure(refusal)
                } else if draw < profile.failureRate {
                    outcome = .failure(.serverError)
                } else {
                    outcome = .answer(parsed, invalid: draw < profile.failureRate + profile.invalidOutputRate)
                }
            }
            return Step(request: request, outcome: outcome, seed: random.next())
        }
    }

    /// Answered and failed requests among the first `processed`, for `request_counts`.
    func counts(processed: Int) -> (completed: Int, failed: Int) {
        let failed = steps.prefix(processed).count { $0.outcome.isFailure }
        return (processed - failed, failed)
    }
}
