/// The Files and Batches APIs' errors, in OpenAI's words where known.
extension OpenAIError {
    /// An upload refused for one line of its JSONL: the message starts "Line N".
    static func invalidBatchLine(_ line: Int, _ problem: String, code: String = "invalid_request_line") -> OpenAIError {
        invalidRequest("Line \(line) \(problem).", param: "file", code: code)
    }

    static func tooManyBatchRequests(limit: Int) -> OpenAIError {
        invalidRequest(
            "The file has more than \(limit) requests, the most one batch may hold.", param: "file", code: "too_many_requests_in_file")
    }

    static func fileTooLarge(limit: Int) -> OpenAIError {
        invalidRequest("The file exceeds the maximum size of \(limit) bytes for batch input.", param: "file", code: "file_too_large")
    }

    static func notFound(_ kind: String, id: String) -> OpenAIError {
        OpenAIError(status: .notFound, message: "No such \(kind) object: \(id)", type: "invalid_request_error", code: nil, param: "id")
    }

    static func openBatchLimit(_ limit: Int) -> OpenAIError {
        invalidRequest(
            "You have \(limit) batches that are not finished, the most this simulator allows; wait for one to finish.",
            code: "batch_limit_exceeded")
    }

    /// The error-file messages of requests never run: the batch expired or was cancelled first.
    static let batchExpired = "This request could not be executed before the completion window expired."
    static let batchCancelled = "This request was not executed because the batch was cancelled."
}
