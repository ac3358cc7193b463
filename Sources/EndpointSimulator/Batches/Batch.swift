import TreeInstructCore

/// One batch: its request, its plan and timeline, and once finished the ids of the files it
/// wrote. Its status is not stored but read off the timeline at the time asked.
struct Batch: Sendable {
    /// One `errors.data[]` entry of a batch that failed validation.
    struct LineError: Sendable {
        var code: String
        var message: String
        var param: String?
        var line: Int?
    }

    let id: String
    let inputFileID: String
    let completionWindow: String
    let metadata: [String: String]?
    let plan: BatchPlan
    var timeline: BatchTimeline
    let validationErrors: [LineError]
    /// Unix seconds of the store clock's zero, to write times.
    let unixOrigin: Double
    var outputFileID: String?
    var errorFileID: String?
    /// Set once the output and error files are written; never twice.
    var isWritten = false

    /// OpenAI's rule that one batch uses one model: the first line whose model differs from
    /// the first line's, as a validation error.
    static func modelMismatch(in requests: [BatchRequestLine]) -> LineError? {
        guard let first = requests.first?.body["model"] else { return nil }
        guard let other = requests.first(where: { $0.body["model"] != first }) else { return nil }
        return LineError(
            code: "mismatched_model",
            message: "The model in line \(other.line) differs from the model in line \(requests[0].line); a batch uses one model.",
            param: "body.model", line: other.line)
    }

    /// OpenAI's batch object as of `now`.
    func json(at now: Double) -> String {
        let events = timeline.events(at: now)
        let status = events.last?.status ?? .validating
        func time(_ status: BatchTimeline.Status) -> String {
            events.first { $0.status == status }.map { String(Int(unixOrigin + $0.time)) } ?? "null"
        }
        let total = plan.steps.count
        let counts = plan.counts(processed: timeline.processed(of: total, at: now))
        var json = JSONText(capacity: 1024)
        json.raw("{\"id\":\(JSONText.quoted(id)),\"object\":\"batch\",\"endpoint\":\"\(BatchInputFile.endpoint)\",\"errors\":")
        json.raw(status == .failed ? errorsJSON : "null")
        json.raw(",\"input_file_id\":\(JSONText.quoted(inputFileID)),\"completion_window\":\(JSONText.quoted(completionWindow))")
        json.raw(",\"status\":\"\(status.rawValue)\",\"output_file_id\":\(Self.optional(outputFileID))")
        json.raw(",\"error_file_id\":\(Self.optional(errorFileID)),\"created_at\":\(Int(unixOrigin + timeline.created))")
        json.raw(",\"in_progress_at\":\(time(.inProgress)),\"expires_at\":\(Int(unixOrigin + timeline.expiresAt))")
        json.raw(",\"finalizing_at\":\(time(.finalizing)),\"completed_at\":\(time(.completed)),\"failed_at\":\(time(.failed))")
        json.raw(",\"expired_at\":\(time(.expired)),\"cancelling_at\":\(time(.cancelling)),\"cancelled_at\":\(time(.cancelled))")
        json.raw(",\"request_counts\":{\"total\":\(total),\"completed\":\(counts.completed),\"failed\":\(counts.failed)}")
        json.raw(",\"metadata\":")
        if let metadata {
            json.raw(JSONValue.object(metadata.mapValues { .string($0) }).compactText)
        } else {
            json.raw("null")
        }
        json.raw("}")
        return json.text
    }

    private var errorsJSON: String {
        var json = JSONText()
        json.raw("{\"object\":\"list\",\"data\":[")
        for (index, error) in validationErrors.enumerated() {
            json.raw(index == 0 ? "{\"code\":" : ",{\"code\":")
            json.string(error.code)
            json.raw(",\"message\":")
            json.string(error.message)
            json.raw(",\"param\":\(Self.optional(error.param)),\"line\":\(error.line.map(String.init) ?? "null")}")
        }
        json.raw("]}")
        return json.text
    }

    private static func optional(_ text: String?) -> String { text.map(JSONText.quoted) ?? "null" }
}
