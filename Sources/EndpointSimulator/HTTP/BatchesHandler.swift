import Hummingbird

/// `/v1/batches`: create, retrieve, cancel and list batches, each answered with OpenAI's batch
/// object (or list of them) as of the moment asked.
struct BatchesHandler: Sendable {
    /// OpenAI's default and largest page for `GET /v1/batches`.
    static let defaultPage = 20
    static let largestPage = 100

    let configuration: SimulatorConfiguration
    let store: BatchStore

    func create(_ request: Request) async -> Response {
        if let refusal = RequestAuthorization.refusal(of: request, key: configuration.apiKey) { return refusal }
        let parsed = await JSONRequestBody.read(request, limit: configuration.maxBodyBytes).flatMap(BatchCreateRequest.parse)
        switch parsed {
        case .failure(let error): return SimulatorRoutes.error(error)
        case .success(let create): return respond(await store.create(create))
        }
    }

    func retrieve(_ request: Request, context: SimulatorRequestContext) async -> Response {
        if let refusal = RequestAuthorization.refusal(of: request, key: configuration.apiKey) { return refusal }
        let id = context.parameters.get("id") ?? ""
        guard let batch = await store.batch(id) else { return SimulatorRoutes.error(.notFound("Batch", id: id)) }
        return SimulatorRoutes.json(batch)
    }

    func cancel(_ request: Request, context: SimulatorRequestContext) async -> Response {
        if let refusal = RequestAuthorization.refusal(of: request, key: configuration.apiKey) { return refusal }
        return respond(await store.cancel(context.parameters.get("id") ?? ""))
    }

    func list(_ request: Request) async -> Response {
        if let refusal = RequestAuthorization.refusal(of: request, key: configuration.apiKey) { return refusal }
        let query = request.uri.queryParameters
        var limit = Self.defaultPage
        if let text = query.get("limit") {
            guard let value = Int(text), (1...Self.largestPage).contains(value) else {
                return SimulatorRoutes.error(
                    .invalidRequest("limit must be an integer from 1 to \(Self.largestPage).", param: "limit", code: "invalid_value"))
            }
            limit = value
        }
        return respond(await store.list(limit: limit, after: query.get("after")))
    }

    private func respond(_ result: Result<String, OpenAIError>) -> Response {
        switch result {
        case .success(let json): SimulatorRoutes.json(json)
        case .failure(let error): SimulatorRoutes.error(error)
        }
    }
}
