import HTTPTypes
import Hummingbird

/// Headers every response carries: a Content-Security-Policy that lets a page run only this
/// server's own script and style and fetch only from it (so an instruction holding markup can
/// neither run nor load anything, even if it ever escaped escaping), no framing, no sniffing,
/// no referrer, no caching of pages that show texts.
struct ResponseHeaders<Context: RequestContext>: RouterMiddleware {
    static var policy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
            + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            response = Pages.message(status: .notFound, title: "Not found", "Nothing is at \(request.uri.path).")
        }
        response.headers[HTTPField.Name("Content-Security-Policy")!] = Self.policy
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
