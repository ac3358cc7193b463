import Hummingbird
import NIOCore
import TreeInstructCore

/// Reads a request's JSON body with OpenAI's errors: 413 above `limit` bytes, 400 for text
/// that is not JSON.
enum JSONRequestBody {
    static func read(_ request: Request, limit: Int) async -> Result<JSONValue, OpenAIError> {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            return .failure(.bodyTooLarge(limit: limit))
        }
        do {
            return .success(
                try buffer.withUnsafeReadableBytes { raw throws(JSONParser.SyntaxError) in
                    try JSONParser.parse(raw.bindMemory(to: UInt8.self))
                })
        } catch {
            return .failure(.unparsableBody)
        }
    }
}
