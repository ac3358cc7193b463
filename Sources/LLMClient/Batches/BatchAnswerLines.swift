import NIOCore
import TreeInstructCore

/// The lines of a batch's output or error file: `{"custom_id", "response": {"status_code",
/// "body"}, "error": {"code", "message"}}`. A 200 body is read as a live answer is; another
/// status is the error a live call with that answer would throw; no response at all (the batch
/// expired or was cancelled first) is a request never run. A line that cannot be read is
/// skipped: its task, never answered, goes back to pending when the batch is applied.
enum BatchAnswerLines {
    /// Each answer of `file` in turn, read as it is reached: only the file and one answer are
    /// held at a time (a 50,000-line file's answers, all read first, doubled the memory).
    static func forEach(in file: ByteBuffer, _ body: (BatchAnswer) async throws -> Void) async rethrows {
        var rest = file
        while rest.readableBytes > 0 {
            let length = rest.readableBytesView.firstIndex(of: UInt8(ascii: "\n")).map { $0 - rest.readerIndex } ?? rest.readableBytes
            let line = rest.readSlice(length: length)!
            rest.moveReaderIndex(forwardBy: min(1, rest.readableBytes))
            let parsed = line.withUnsafeReadableBytes { raw in try? JSONParser.parse(raw.bindMemory(to: UInt8.self)) }
            if let parsed, let answer = answer(parsed) { try await body(answer) }
        }
    }

    static func answer(_ line: JSONValue) -> BatchAnswer? {
        guard case .string(let customID)? = line["custom_id"] else { return nil }
        guard case .object? = line["response"], case .number(let code)? = line["response"]?["status_code"] else {
            let error = line["error"]
            let code = text(error?["code"]) ?? "batch_not_run"
            return BatchAnswer(customID: customID, outcome: .notRun(code: code, message: text(error?["message"]) ?? code))
        }
        let status = Int(code)
        let body = line["response"]?["body"] ?? .null
        guard (200..<300).contains(status) else {
            let message = text(body["error"]?["message"]) ?? text(body["message"]) ?? "HTTP \(status)"
            let errorCode = text(body["error"]?["code"]) ?? text(body["error"]?["type"])
            return BatchAnswer(
                customID: customID, outcome: .failed(LLMError.classify(status: status, message: message, errorCode: errorCode, retryAfter: nil)))
        }
        do {
            let completion = try ChatResponseBody(json: body).completion(
                status: status, latency: .zero, rateLimits: RateLimitHeaders { _ in nil })
            return BatchAnswer(customID: customID, outcome: .answered(completion))
        } catch let error as LLMError {
            return BatchAnswer(customID: customID, outcome: .failed(error))
        } catch {
            return BatchAnswer(
                customID: customID,
                outcome: .failed(LLMError(kind: .malformedBody, httpStatus: status, message: "unreadable response body in the batch's output")))
        }
    }

    private static func text(_ value: JSONValue?) -> String? {
        if case .string(let text)? = value { return text }
        return nil
    }
}
