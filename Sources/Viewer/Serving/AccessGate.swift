import Foundation
import Hummingbird
import TreeInstructCore

/// The optional access token. A browser opens `/?token=…` once: the answer sets an HttpOnly,
/// SameSite=Strict cookie and sends it to the same page without the token in its address (so
/// it stays out of history and of the pages' links). Scripts may send `Authorization: Bearer`.
/// Everything else gets 401 and a page that says what is needed; the stylesheet, script and
/// icon (this binary's own, no data) are served to anyone, so that page is readable.
struct AccessGate<Context: RequestContext>: RouterMiddleware {
    static var cookieName: String { "treeinstruct_viewer" }
    let token: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token, !Self.isPublic(request.uri.path) else { return try await next(request, context) }
        let parameters = QueryParameters(request.uri.query)
        if let offered = parameters["token"] {
            guard SecretComparison.matches(offered, token) else { return Self.refused() }
            var response = Response(status: .seeOther, headers: [.location: Self.pathWithout(token: request)])
            response.setCookie(Cookie(name: Self.cookieName, value: token, path: "/", httpOnly: true, sameSite: .strict))
            return response
        }
        if let cookie = request.cookies[Self.cookieName], SecretComparison.matches(cookie.value, token) {
            return try await next(request, context)
        }
        if let header = request.headers[.authorization], header.hasPrefix("Bearer "), SecretComparison.matches(header.dropFirst(7), token) {
            return try await next(request, context)
        }
        return Self.refused()
    }

    private static func isPublic(_ path: String) -> Bool { path.hasPrefix("/assets/") || path == "/favicon.ico" }

    private static func refused() -> Response {
        Pages.message(
            status: .unauthorized, title: "Access token needed",
            "This viewer was started with an access token. Open it once as /?token=YOUR-TOKEN (the token `serve` was given); the browser keeps it for the session."
        )
    }

    /// The request's path and its other query parameters, as they came.
    private static func pathWithout(token request: Request) -> String {
        let kept = (request.uri.query ?? "").split(separator: "&").filter { !$0.hasPrefix("token=") && $0 != "token" }
        return request.uri.path + (kept.isEmpty ? "" : "?" + kept.joined(separator: "&"))
    }
}

/// A query string's parameters, decoded as browsers encode forms (`+` is a space), first value
/// of each name.
struct QueryParameters {
    private var values: [String: String] = [:]

    init(_ query: String?) {
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (part: Substring) in String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            let name = decode(parts[0])
            if values[name] == nil { values[name] = parts.count > 1 ? decode(parts[1]) : "" }
        }
    }

    subscript(_ name: String) -> String? { values[name] }

    /// The value, or nil when absent or empty (an unset form field).
    func nonEmpty(_ name: String) -> String? { values[name].flatMap { $0.isEmpty ? nil : $0 } }
}
