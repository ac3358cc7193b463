import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The simulator's HTTP surface: chat completions (with and without the `/v1` prefix), the
/// Files and Batches APIs (`/v1` only), the model list, a health check and the counters.
/// Every response carries `x-treeinstruct-simulator: 1` so no log mistakes it for a real
/// provider.
enum SimulatorRoutes {
    static let simulatorHeader = HTTPField.Name("x-treeinstruct-simulator")!

    static func router(configuration: SimulatorConfiguration, state: SimulatorState, seed: UInt64) -> Router<SimulatorRequestContext> {
        let router = Router(context: SimulatorRequestContext.self)
        router.add(middleware: SimulatorHeaderMiddleware())
        let completions = ChatCompletionsHandler(configuration: configuration, state: state, seed: seed)
        router.post("/v1/chat/completions") { request, context in await completions.handle(request, context: context) }
        router.post("/chat/completions") { request, context in await completions.handle(request, context: context) }

        let batches = BatchStore(configuration: configuration, seed: seed)
        let files = FilesHandler(configuration: configuration, store: batches)
        router.post("/v1/files") { request, _ in await files.upload(request) }
        router.get("/v1/files/:id") { request, context in await files.metadata(request, context: context) }
        router.get("/v1/files/:id/content") { request, context in await files.content(request, context: context) }
        router.delete("/v1/files/:id") { request, context in await files.delete(request, context: context) }
        let batchRoutes = BatchesHandler(configuration: configuration, store: batches)
        router.post("/v1/batches") { request, _ in await batchRoutes.create(request) }
        router.get("/v1/batches") { request, _ in await batchRoutes.list(request) }
        router.get("/v1/batches/:id") { request, context in await batchRoutes.retrieve(request, context: context) }
        router.post("/v1/batches/:id/cancel") { request, context in await batchRoutes.cancel(request, context: context) }

        let started = Int(Date().timeIntervalSince1970)
        let models = modelList(model: configuration.model, created: started)
        router.get("/v1/models") { request, _ -> Response in
            RequestAuthorization.refusal(of: request, key: configuration.apiKey) ?? json(models)
        }
        router.get("/healthz") { _, _ in json("{\"status\":\"ok\",\"simulator\":true}") }
        router.get("/sim/stats") { _, _ in
            json(await state.statsJSON(model: configuration.model, batches: await batches.statsJSON()))
        }
        return router
    }

    static func modelList(model: String, created: Int) -> String {
        var json = JSONText()
        json.raw("{\"object\":\"list\",\"data\":[{\"id\":")
        json.string(model)
        json.raw(",\"object\":\"model\",\"created\":\(created),\"owned_by\":\"treeinstruct-simulator\"}]}")
        return json.text
    }

    static func error(_ error: OpenAIError) -> Response { json(error.body, status: error.status) }

    static func json(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// Stamps every response, errors and 404s included, as coming from the simulator.
struct SimulatorHeaderMiddleware: RouterMiddleware {
    typealias Context = SimulatorRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            response = SimulatorRoutes.json(
                OpenAIError(
                    status: .notFound, message: "Unknown path \(request.uri.path) on the TreeInstruct endpoint simulator.",
                    type: "invalid_request_error", code: "unknown_url"
                ).body,
                status: .notFound)
        }
        response.headers[SimulatorRoutes.simulatorHeader] = "1"
        return response
    }
}
