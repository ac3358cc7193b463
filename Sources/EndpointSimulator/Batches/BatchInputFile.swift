import TreeInstructCore

/// One request of a batch input file: `{"custom_id", "method": "POST", "url", "body"}`.
struct BatchRequestLine: Sendable {
    var customID: String
    var body: JSONValue
    /// 1-based line in the file, for messages.
    var line: Int
}

/// Reads an uploaded batch input file (JSONL) and refuses it whole, naming the line, as
/// OpenAI's upload does for structural problems. Checked here rather than at batch creation:
/// a line that is not JSON, lacks custom_id/method/url/body, repeats a custom_id, targets
/// another url, or one line too many. Blank lines are skipped.
enum BatchInputFile {
    static let endpoint = "/v1/chat/completions"

    static func parse(_ bytes: [UInt8], maxRequests: Int) -> Result<[BatchRequestLine], OpenAIError> {
        var requests: [BatchRequestLine] = []
        var lineOfID: [String: Int] = [:]
        for (offset, rawLine) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            let line = rawLine.last == UInt8(ascii: "\r") ? rawLine.dropLast() : rawLine
            guard line.contains(where: { !isWhitespace($0) }) else { continue }
            if requests.count == maxRequests { return .failure(.tooManyBatchRequests(limit: maxRequests)) }
            let request: BatchRequestLine
            switch parse(line: line, number: number) {
            case .success(let parsed): request = parsed
            case .failure(let error): return .failure(error)
            }
            if let first = lineOfID.updateValue(number, forKey: request.customID) {
                return .failure(
                    .invalidBatchLine(
                        number, "repeats custom_id \(JSONText.quoted(request.customID)) of line \(first); each must be unique",
                        code: "duplicate_custom_id"))
            }
            requests.append(request)
        }
        if requests.isEmpty { return .failure(.invalidRequest("The file contains no requests.", param: "file", code: "empty_file")) }
        return .success(requests)
    }

    private static func parse(line: ArraySlice<UInt8>, number: Int) -> Result<BatchRequestLine, OpenAIError> {
        guard String(validating: line, as: UTF8.self) != nil else { return .failure(.invalidBatchLine(number, "is not UTF-8")) }
        let value: JSONValue
        do {
            value = try line.withUnsafeBufferPointer { bytes throws(JSONParser.SyntaxError) in try JSONParser.parse(bytes) }
        } catch {
            return .failure(.invalidBatchLine(number, "is not valid JSON (\(error))", code: "invalid_json_line"))
        }
        guard case .object = value else { return .failure(.invalidBatchLine(number, "is not a JSON object", code: "invalid_json_line")) }
        guard case .string(let customID) = value["custom_id"], !customID.isEmpty else {
            return .failure(.invalidBatchLine(number, "has no custom_id (a non-empty string)", code: "missing_required_parameter"))
        }
        guard case .string(let method) = value["method"] else {
            return .failure(.invalidBatchLine(number, "has no method (a string)", code: "missing_required_parameter"))
        }
        guard method == "POST" else { return .failure(.invalidBatchLine(number, "has method \(JSONText.quoted(method)); only POST is supported")) }
        guard case .string(let url) = value["url"] else {
            return .failure(.invalidBatchLine(number, "has no url (a string)", code: "missing_required_parameter"))
        }
        guard url == endpoint else {
            return .failure(
                .invalidBatchLine(number, "has url \(JSONText.quoted(url)); this simulator batches only \(endpoint)", code: "invalid_url"))
        }
        guard let body = value["body"], case .object = body else {
            return .failure(.invalidBatchLine(number, "has no body (a JSON object)", code: "missing_required_parameter"))
        }
        return .success(BatchRequestLine(customID: customID, body: body, line: number))
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }
}
