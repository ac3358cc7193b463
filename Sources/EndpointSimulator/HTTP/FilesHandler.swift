import Hummingbird
import NIOCore

/// `/v1/files`: upload a batch input file (multipart/form-data with `purpose=batch` and a
/// JSONL `file` part with a filename), read its metadata or bytes, delete it. The upload is
/// checked line by line before it is kept, outside the store so a large file does not hold
/// it up.
struct FilesHandler: Sendable {
    /// Room for the form's boundaries and part headers around the file itself.
    static let formOverheadBytes = 64 << 10

    let configuration: SimulatorConfiguration
    let store: BatchStore

    func upload(_ request: Request) async -> Response {
        if let refusal = RequestAuthorization.refusal(of: request, key: configuration.apiKey) { return refusal }
        switch await readUpload(request) {
        case .failure(let error): return SimulatorRoutes.error(error)
        case .success(let (filename, bytes, requests)):
            return SimulatorRoutes.json(await store.addUpload(filename: filename, bytes: bytes, requests: requests))
        }
    }

    func metadata(_ request: Request, context: SimulatorRequestContext) async -> Response {
        await withFile(request, context: context) { SimulatorRoutes.json($0.json) }
    }

    func content(_ request: Request, context: SimulatorRequestContext) async -> Response {
        await withFile(request, context: context) { file in
            Response(
                status: .ok, headers: [.contentType: "application/octet-stream"],
                body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
        }
    }

    func delete(_ request: Request, context: SimulatorRequestContext) async -> Response {
        if let refusal = RequestAuthorization.refusal(of: request, key: configuration.apiKey) { return refusal }
        let id = context.parameters.get("id") ?? ""
        guard await store.deleteFile(id) else { return SimulatorRoutes.error(.notFound("File", id: id)) }
        return SimulatorRoutes.json(StoredFile.deletedJSON(id: id))
    }

    private func withFile(
        _ request: Request, context: SimulatorRequestContext, _ answer: (StoredFile) -> Response
    ) async -> Response {
        if let refusal = RequestAuthorization.refusal(of: request, key: configuration.apiKey) { return refusal }
        let id = context.parameters.get("id") ?? ""
        guard let file = await store.file(id) else { return SimulatorRoutes.error(.notFound("File", id: id)) }
        return answer(file)
    }

    private func readUpload(_ request: Request) async -> Result<(String, [UInt8], [BatchRequestLine]), OpenAIError> {
        let limits = configuration.batch
        guard let boundary = request.headers[.contentType].flatMap(MultipartForm.boundary(ofContentType:)) else {
            return .failure(.invalidRequest("The upload must be multipart/form-data with a boundary.", code: "invalid_content_type"))
        }
        let body: [UInt8]
        do {
            body = Array(buffer: try await request.body.collect(upTo: limits.maxFileBytes + Self.formOverheadBytes))
        } catch {
            return .failure(.fileTooLarge(limit: limits.maxFileBytes))
        }
        let form: MultipartForm
        switch MultipartForm.parse(body, boundary: boundary) {
        case .success(let parsed): form = parsed
        case .failure(let error): return .failure(.invalidRequest("The multipart body is malformed: \(error.message).", code: "invalid_multipart"))
        }
        let purpose = form.first(named: "purpose").map { String(decoding: $0.bytes, as: UTF8.self).trimmingWhitespace() }
        guard let purpose else { return .failure(.invalidRequest("purpose is required.", param: "purpose", code: "missing_required_parameter")) }
        guard purpose == "batch" else {
            return .failure(
                .invalidRequest(
                    "Invalid purpose \(JSONText.quoted(purpose)); the TreeInstruct endpoint simulator keeps only \"batch\" files.",
                    param: "purpose", code: "invalid_value"))
        }
        guard let file = form.first(named: "file"), let filename = file.filename else {
            return .failure(.invalidRequest("file is required, as a part with a filename.", param: "file", code: "missing_required_parameter"))
        }
        guard !file.bytes.isEmpty else { return .failure(.invalidRequest("The file is empty.", param: "file", code: "empty_file")) }
        guard file.bytes.count <= limits.maxFileBytes else { return .failure(.fileTooLarge(limit: limits.maxFileBytes)) }
        return BatchInputFile.parse(file.bytes, maxRequests: limits.maxRequests).map { (filename, file.bytes, $0) }
    }
}
