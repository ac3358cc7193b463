import NIOCore
import TreeInstructCore

/// A batch's request file: one JSON line per request, `{"custom_id", "method": "POST", "url":
/// "/v1/chat/completions", "body": <the body a live call sends>}`, up to a byte limit; written
/// straight into the multipart form that uploads it (`purpose=batch`, then the file), so a file
/// of 150 MB is held once, not twice.
struct BatchRequestFile {
    /// The whole multipart body.
    var form: ByteBuffer
    /// The custom ids of requests that did not fit.
    var leftOut: [String] = []

    init(_ requests: [BatchRequest], dialect: (String) -> StructuredOutputDialect, maxBytes: Int, boundary: String, filename: String) {
        form = ByteBufferAllocator().buffer(capacity: min(maxBytes, requests.count * 2048) + 512)
        form.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n")
        form.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\n")
        form.writeString("Content-Type: application/jsonl\r\n\r\n")
        let start = form.readableBytes
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
            guard leftOut.isEmpty, form.readableBytes - start + text.utf8.count + 1 <= maxBytes else {
                leftOut.append(request.customID)
                continue
            }
            form.writeString(text)
            form.writeInteger(UInt8(ascii: "\n"))
        }
        form.writeString("\r\n--\(boundary)--\r\n")
    }
}
