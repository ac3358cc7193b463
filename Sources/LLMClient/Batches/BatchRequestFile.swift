import NIOCore
import TreeInstructCore

/// A batch's request file: one JSON line per request, `{"custom_id", "method": "POST", "url":
/// "/v1/chat/completions", "body": <the body a live call sends>}`, up to a byte limit.
struct BatchRequestFile {
    var bytes: ByteBuffer
    /// The custom ids of requests that did not fit.
    var leftOut: [String] = []

    init(_ requests: [BatchRequest], dialect: (String) -> StructuredOutputDialect, maxBytes: Int) {
        bytes = ByteBufferAllocator().buffer(capacity: min(maxBytes, requests.count * 2048))
        for request in requests {
            let body = ChatRequestBody(
                prompt: request.prompt, model: request.model, temperature: request.temperature, maxTokens: request.maxTokens,
                dialect: dialect(request.model))
            var line = JSONObjectWriter(capacity: body.text.utf8.count + 128)
            line.field("body", rawJSON: body.text)
            line.field("custom_id", .string(request.customID))
            line.field("method", .string("POST"))
            line.field("url", .string("/v1/chat/completions"))
            let text = line.finished
            guard leftOut.isEmpty, bytes.readableBytes + text.utf8.count + 1 <= maxBytes else {
                leftOut.append(request.customID)
                continue
            }
            bytes.writeString(text)
            bytes.writeInteger(UInt8(ascii: "\n"))
        }
    }
}
