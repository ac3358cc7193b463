import Hummingbird

/// Responses that carry a page.
enum Pages {
    static func html(_ page: HTML, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: page.markup)))
    }

    /// A short page that says what went wrong (not found, no access, the database away).
    static func message(status: HTTPResponse.Status, title: String, _ text: String) -> Response {
        html(Layout.page(title: title, "<h1>\(title)</h1><p>\(text)</p>"), status: status)
    }
}
