import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import TreeInstructCore

/// An OpenAI-compatible Batch API (`/files`, `/batches` under the endpoint's base URL), over
/// the chat client's HTTP client (`ChatClient.batches`): upload a request file, create,
/// retrieve, cancel and list batches, read output and error files. Failures come back as
/// `LLMError`s, scrubbed of the secrets sent; the key is only ever in the Authorization header.
public struct BatchClient: Sendable {
    public let endpoint: EndpointConfiguration
    let http: HTTPClient
    let dialects: DialectNegotiation
    let logger: Logger
    /// Output files are read whole; larger ones are refused (1 GiB).
    static let maxFileBytes = 1 << 30

    /// Uploads `requests` as a JSONL file (up to `maxFileBytes`; the rest are left out) and
    /// creates a batch of it with `metadata`.
    public func submit(
        _ requests: [BatchRequest], completionWindow: String, metadata: [String: String], maxFileBytes: Int
    ) async throws(LLMError) -> SubmittedBatch {
        var forms: [String: StructuredOutputDialect] = [:]
        for model in Set(requests.map(\.model)) {
            // No way to try forms one by one in a batch: the form forced, or the one the live
            // calls found, or the one OpenAI's models take.
            let confirmed = await dialects.confirmed(for: model)
            forms[model] = endpoint.dialect ?? confirmed ?? .jsonSchema
        }
        let boundary = "treeinstruct-" + UUID().uuidString
        let file = BatchRequestFile(
            requests, dialect: { forms[$0] ?? .jsonSchema }, maxBytes: maxFileBytes, boundary: boundary,
            filename: "treeinstruct-\(metadata.values.sorted().joined(separator: "-")).jsonl")
        let fileID = try await upload(file.form, boundary: boundary)
        var body = JSONObjectWriter(capacity: 256)
        body.field("completion_window", .string(completionWindow))
        body.field("endpoint", .string("/v1/chat/completions"))
        body.field("input_file_id", .string(fileID))
        body.field("metadata", .object(metadata.mapValues { .string($0) }))
        let batch = try BatchObject.readOrThrow(try await send(.POST, "/batches", json: body.finished))
        return SubmittedBatch(batch: batch, leftOut: file.leftOut)
    }

    public func retrieve(_ id: String) async throws(LLMError) -> ProviderBatch {
        try BatchObject.readOrThrow(try await send(.GET, "/batches/\(Self.pathPart(id))"))
    }

    public func cancel(_ id: String) async throws(LLMError) -> ProviderBatch {
        try BatchObject.readOrThrow(try await send(.POST, "/batches/\(Self.pathPart(id))/cancel"))
    }

    public func list(after: String?, limit: Int) async throws(LLMError) -> (batches: [ProviderBatch], hasMore: Bool) {
        var path = "/batches?limit=\(limit)"
        if let after { path += "&after=\(Self.pathPart(after))" }
        let page = try Self.json(try await send(.GET, path))
        guard case .array(let data)? = page["data"] else { throw Self.unreadable("a batch list without data") }
        let hasMore = page["has_more"] == .bool(true)
        return (try data.map { item throws(LLMError) in try BatchObject.readOrThrow(item) }, hasMore)
    }

    /// Downloads an output or error file and hands each line's answer to `body` in turn.
    public func answers(inFile id: String, _ body: (BatchAnswer) async throws -> Void) async throws {
        let file = try await send(.GET, "/files/\(Self.pathPart(id))/content", limit: Self.maxFileBytes)
        try await BatchAnswerLines.forEach(in: file, body)
    }

    // MARK: HTTP

    /// Uploads a request file's multipart form (`BatchRequestFile`); returns the file's id.
    private func upload(_ form: ByteBuffer, boundary: String) async throws(LLMError) -> String {
        let answer = try Self.json(try await send(.POST, "/files", body: form, contentType: "multipart/form-data; boundary=\(boundary)"))
        guard case .string(let id)? = answer["id"] else { throw Self.unreadable("an uploaded file without an id") }
        return id
    }

    private func send(_ method: HTTPMethod, _ path: String, json: String) async throws(LLMError) -> ByteBuffer {
        try await send(method, path, body: ByteBuffer(string: json), contentType: "application/json")
    }

    /// One request; a status outside 2xx is thrown as the `LLMError` a live call would get.
    private func send(
        _ method: HTTPMethod, _ path: String, body: ByteBuffer? = nil, contentType: String? = nil, limit: Int = 8 << 20
    ) async throws(LLMError) -> ByteBuffer {
        var request = HTTPClientRequest(url: endpoint.baseURL + path)
        request.method = method
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        for (name, value) in endpoint.extraHeaders { request.headers.replaceOrAdd(name: name, value: value) }
        if let key = endpoint.apiKey, !key.isEmpty { request.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(key.secret)") }
        if let body { request.body = .bytes(body) }
        do {
            let response = try await http.execute(request, timeout: TimeAmount(endpoint.requestTimeout), logger: logger)
            let bytes = try await response.body.collect(upTo: limit)
            let status = Int(response.status.code)
            guard (200..<300).contains(status) else {
                let (message, code) = ChatClient.errorMessage(in: bytes)
                throw LLMError.classify(status: status, message: "\(method.rawValue) \(path): \(message)", errorCode: code, retryAfter: nil)
            }
            return bytes
        } catch var error as LLMError {
            error.message = endpoint.redacted(error.message)
            throw error
        } catch {
            var failure = ChatClient.classifyTransport(error, timeout: endpoint.requestTimeout)
            failure.message = endpoint.redacted(failure.message)
            throw failure
        }
    }

    static func json(_ bytes: ByteBuffer) throws(LLMError) -> JSONValue {
        do {
            return try bytes.withUnsafeReadableBytes { raw throws(JSONParser.SyntaxError) in try JSONParser.parse(raw.bindMemory(to: UInt8.self)) }
        } catch {
            throw unreadable(ChatClient.preview(bytes))
        }
    }

    static func unreadable(_ what: String) -> LLMError {
        LLMError(kind: .malformedBody, message: "unreadable Batch API answer: \(what)")
    }

    /// An id as one path segment: letters, digits, '-' and '_' as they are, anything else escaped.
    static func pathPart(_ id: String) -> String {
        id.addingPercentEncoding(
            withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")) ?? id
    }
}

extension BatchObject {
    /// The batch in `bytes` (or an already-parsed value), or an `LLMError` saying it is unreadable.
    static func readOrThrow(_ bytes: ByteBuffer) throws(LLMError) -> ProviderBatch {
        try readOrThrow(try BatchClient.json(bytes))
    }

    static func readOrThrow(_ json: JSONValue) throws(LLMError) -> ProviderBatch {
        do { return try read(json) } catch { throw BatchClient.unreadable("a batch without id or status") }
    }
}
