/// The output and error files of a finished batch, one JSONL line per request in run order:
/// answered requests carry the chat completion the live endpoint gives that body (same
/// answer seed), failed ones their error, and requests never run `batch_expired` or
/// `batch_cancelled`.
struct BatchResults: Sendable {
    /// Why the requests after the processed ones were not run.
    enum Stop: Sendable {
        case finished, expired, cancelled
    }

    var output: [UInt8] = []
    var errors: [UInt8] = []
    var answered = 0
    var failed = 0
    var notRun = 0

    /// - Parameters:
    ///   - answerSeed: the simulator's seed, which the live endpoint answers with.
    ///   - created: the unix time written into each completion.
    init(plan: BatchPlan, processed: Int, stop: Stop, answerSeed: UInt64, model: String, created: Int) {
        for (position, step) in plan.steps.enumerated() {
            var random = SeededRandom(seed: step.seed)
            let lineID = "batch_req_\(Self.hex(random.next()))"
            let requestID = "req_\(Self.hex(random.next()))"
            guard position < processed else {
                let (code, message) =
                    stop == .cancelled
                    ? ("batch_cancelled", OpenAIError.batchCancelled) : ("batch_expired", OpenAIError.batchExpired)
                let error = "{\"code\":\"\(code)\",\"message\":\(JSONText.quoted(message))}"
                errors += Self.line(id: lineID, customID: step.request.customID, response: "null", error: error).utf8
                notRun += 1
                continue
            }
            switch step.outcome {
            case .failure(let error):
                let response = "{\"status_code\":\(error.status.code),\"request_id\":\"\(requestID)\",\"body\":\(error.body)}"
                errors += Self.line(id: lineID, customID: step.request.customID, response: response, error: "null").utf8
                failed += 1
            case .answer(let request, let invalid):
                var planned = PlannedAnswer(request, seed: answerSeed)
                if invalid { planned.makeInvalid(random: &random) }
                let body = planned.response(id: "chatcmpl-sim-\(Self.hex(random.next()))", created: created, model: model).body
                let response = "{\"status_code\":200,\"request_id\":\"\(requestID)\",\"body\":\(body)}"
                output += Self.line(id: lineID, customID: step.request.customID, response: response, error: "null").utf8
                answered += 1
            }
        }
    }

    private static func line(id: String, customID: String, response: String, error: String) -> String {
        var json = JSONText()
        json.raw("{\"id\":\"\(id)\",\"custom_id\":")
        json.string(customID)
        json.raw(",\"response\":\(response),\"error\":\(error)}\n")
        return json.text
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
