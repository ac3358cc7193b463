import Foundation
import Hummingbird
import TreeInstructCore

/// The optional access token. A browser opens `/?token=…` once: the answer sets an HttpOnly,
/// SameSite=Strict cookie and sends it to the same page without the token in its address (so
/// it stays out of history and of the pages' links). Scripts may send `Authorization: Bearer`.
/// Everything else gets 401 and a page that says what is needed; the stylesheet, script and
/// icon (this binary's own, no data) are served to anyone, so that page is readable.
///
/// Before any of that, the Host header must name this machine (localhost, a loopback address) or
/// the address the viewer was told to bind: a web page whose own name resolves to 127.0.0.1
/// (DNS rebinding) would otherwise read every page as its own origin. Bound to every address
/// (`--host 0.0.0.0`), any name is taken, and the token is the guard.
struct AccessGate<Context: RequestContext>: RouterMiddleware {
    static var cookieName: String { "treeinstruct_viewer" }
    let token: String?
    let boundHost: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard HostCheck.allows(request.head.authority, boundHost: boundHost) else {
            return Pages.message(
                status: .misdirectedRequest, title: "Unknown host name",
                "This viewer answers to localhost and to the address it was started on only.")
        }
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

    /// The request's path and its other query parameters, as they came (a parameter counts as
    /// the token by its decoded name, as the check above reads it); a path that a browser would
    /// read as another host (`//host`, `/\\host`) becomes `/`.
    private static func pathWithout(token request: Request) -> String {
        let kept = (request.uri.query ?? "").split(separator: "&").filter { QueryParameters.name(of: $0) != "token" }
        let path = request.uri.path
        let safePath = path.hasPrefix("/") && !path.hasPrefix("//") && !path.hasPrefix("/\\") ? path : "/"
        return safePath + (kept.isEmpty ? "" : "?" + kept.joined(separator: "&"))
    }
}

/// A query string's parameters, decoded as browsers encode forms (`+` is a space), first value
/// of each name.
struct QueryParameters {
    private var values: [String: String] = [:]

    init(_ query: String?) {
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            if values[name] == nil { values[name] = parts.count > 1 ? Self.decode(parts[1]) : "" }
        }
    }

    /// The decoded name of one `name=value` pair.
    static func name(of pair: Substring) -> String { decode(pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]) }

    private static func decode(_ part: Substring) -> String { String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }

    subscript(_ name: String) -> String? { values[name] }

    /// The value, or nil when absent or empty (an unset form field).
    func nonEmpty(_ name: String) -> String? { values[name].flatMap { $0.isEmpty ? nil : $0 } }
}

/// Which Host headers name this viewer.
enum HostCheck {
    static func allows(_ authority: String?, boundHost: String) -> Bool {
        if ["0.0.0.0", "::", "[::]", ""].contains(boundHost) { return true }
        guard let authority else { return false }
        let name = hostName(authority).lowercased()
        return ["localhost", "127.0.0.1", "::1"].contains(name) || name.hasPrefix("127.") || name == hostName(boundHost).lowercased()
    }

    /// `authority` without its port and brackets: "[::1]:8321" -> "::1", "localhost:8321" -> "localhost".
    static func hostName(_ authority: String) -> String {
        if authority.hasPrefix("["), let end = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<end])
        }
        if authority.filter({ $0 == ":" }).count == 1, let colon = authority.firstIndex(of: ":") { return String(authority[..<colon]) }
        return authority
    }
}
