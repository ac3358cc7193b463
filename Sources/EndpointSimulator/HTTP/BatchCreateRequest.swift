import TreeInstructCore

/// The body of `POST /v1/batches`, checked as OpenAI checks it: an input file id, the chat
/// completions endpoint (the only one simulated), the 24h window and at most 16 metadata
/// pairs of strings (keys up to 64 characters, values up to 512).
struct BatchCreateRequest: Sendable {
    var inputFileID: String
    var completionWindow: String
    var metadata: [String: String]?

    static func parse(_ body: JSONValue) -> Result<BatchCreateRequest, OpenAIError> {
        guard case .object = body else { return .failure(.unparsableBody) }
        guard case .string(let inputFileID) = body["input_file_id"], !inputFileID.isEmpty else {
            return .failure(.invalidRequest("input_file_id must be a file id.", param: "input_file_id", code: "missing_required_parameter"))
        }
        guard case .string(let endpoint) = body["endpoint"] else {
            return .failure(.invalidRequest("endpoint must be a string.", param: "endpoint", code: "missing_required_parameter"))
        }
        guard endpoint == BatchInputFile.endpoint else {
            return .failure(
                .invalidRequest(
                    "Invalid endpoint \(JSONText.quoted(endpoint)); the TreeInstruct endpoint simulator batches only \(BatchInputFile.endpoint).",
                    param: "endpoint", code: "invalid_value"))
        }
        guard case .string(let window) = body["completion_window"], window == "24h" else {
            return .failure(.invalidRequest("completion_window must be \"24h\".", param: "completion_window", code: "invalid_value"))
        }
        return parseMetadata(body["metadata"]).map { BatchCreateRequest(inputFileID: inputFileID, completionWindow: window, metadata: $0) }
    }

    private static func parseMetadata(_ value: JSONValue?) -> Result<[String: String]?, OpenAIError> {
        guard let value, value != .null else { return .success(nil) }
        guard case .object(let fields) = value, fields.count <= 16 else {
            return .failure(.invalidRequest("metadata must be an object of at most 16 string pairs.", param: "metadata"))
        }
        var metadata: [String: String] = [:]
        for (key, item) in fields {
            guard case .string(let text) = item, key.count <= 64, text.count <= 512 else {
                return .failure(
                    .invalidRequest(
                        "metadata.\(key) must be a string of at most 512 characters under a key of at most 64.", param: "metadata"))
            }
            metadata[key] = text
        }
        return .success(metadata)
    }
}
