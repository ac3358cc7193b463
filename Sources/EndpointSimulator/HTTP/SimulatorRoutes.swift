import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The simulator's HTTP surface: chat completions (with and without the `/v1` prefix), the
/// model list, a health check and the counters. Every response carries
/// `x-treeinstruct-simulator: 1` so no log mistakes it for a real provider.
enum SimulatorRoutes {
    static let simulatorHeader = HTTPField.Name("x-treeinstruct-simulator")!

    static func router(configuration: SimulatorConfiguration, state: SimulatorState, seed: UInt64) -> Router<SimulatorRequestContext> {
        let router = Router(context: SimulatorRequestContext.self)
        router.add(middleware: SimulatorHeaderMiddleware())
        let completions = ChatCompletionsHandler(configuration: configuration, state: state, seed: seed)
        router.post("/v1/chat/completions") { request, context in await completions.handle(request, context: context) }
        router.post("/chat/completions") { request, context in await completions.handle(request, context: context) }

        let started = Int(Date().timeIntervalSince1970)
        let models = modelList(model: configuration.model, created: started)
        router.get("/v1/models") { request, _ -> Response in
            guard RequestAuthorization.allows(request, key: configuration.apiKey) else {
                return json(OpenAIError.unauthorized.body, status: .unauthorized)
            }
            return json(models)
        }
        router.get("/healthz") { _, _ in json("{\"status\":\"ok\",\"simulator\":true}") }
        router.get("/sim/stats") { _, _ in json(await state.statsJSON(model: configuration.model)) }
        return router
    }

    static func modelList(model: String, created: Int) -> String {
        var json = JSONText()
        json.raw("{\"object\":\"list\",\"data\":[{\"id\":")
        json.string(model)
        json.raw(",\"object\":\"model\",\"created\":\(created),\"owned_by\":\"treeinstruct-simulator\"}]}")
        return json.text
    }

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
