/// A `multipart/form-data` body (RFC 7578) split into its fields: just what `POST /v1/files`
/// needs (names, a filename, the bytes), since Hummingbird reads no forms and no dependency
/// may be added for one route. Part headers other than Content-Disposition are ignored.
struct MultipartForm: Sendable {
    struct Part: Sendable {
        var name: String
        var filename: String?
        var bytes: [UInt8]
    }

    var parts: [Part]

    func first(named name: String) -> Part? { parts.first { $0.name == name } }

    /// The boundary parameter of a `multipart/form-data` content type, quoted or not; nil for
    /// any other content type.
    static func boundary(ofContentType contentType: String) -> String? {
        let pieces = contentType.split(separator: ";").map { String($0).trimmingWhitespace() }
        guard pieces.first?.lowercased() == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, String(pair[0]).trimmingWhitespace().lowercased() == "boundary" else { continue }
            var value = String(pair[1]).trimmingWhitespace()
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// Splits `body`; the message says what is wrong with a body that is not a form.
    static func parse(_ body: [UInt8], boundary: String) -> Result<MultipartForm, FormError> {
        let delimiter = Array("--\(boundary)".utf8)
        let separator = Array("\r\n--\(boundary)".utf8)
        let headerEnd = Array("\r\n\r\n".utf8)
        var cursor: Int
        if body.starts(with: delimiter) {
            cursor = delimiter.count
        } else if let first = find(separator, in: body, from: 0) {
            cursor = first + separator.count
        } else {
            return .failure(FormError("the body has no part delimited by the boundary"))
        }
        var parts: [Part] = []
        while true {
            if body[cursor...].starts(with: Array("--".utf8)) { return .success(MultipartForm(parts: parts)) }
            guard let lineEnd = find(Array("\r\n".utf8), in: body, from: cursor),
                let headersEnd = find(headerEnd, in: body, from: lineEnd)
            else { return .failure(FormError("a part has no header section")) }
            let headers = String(decoding: body[min(lineEnd + 2, headersEnd)..<headersEnd], as: UTF8.self)
            let contentStart = headersEnd + headerEnd.count
            guard let contentEnd = find(separator, in: body, from: contentStart) else {
                return .failure(FormError("the body ends before the closing boundary"))
            }
            guard let disposition = Disposition(headers: headers) else {
                return .failure(FormError("a part has no Content-Disposition: form-data with a name"))
            }
            parts.append(Part(name: disposition.name, filename: disposition.filename, bytes: Array(body[contentStart..<contentEnd])))
            cursor = contentEnd + separator.count
        }
    }

    /// The first index of `pattern` in `bytes` at or after `start`.
    static func find(_ pattern: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard let first = pattern.first, bytes.count >= pattern.count else { return nil }
        var index = start
        let last = bytes.count - pattern.count
        while index <= last {
            if bytes[index] == first && bytes[index..<(index + pattern.count)].elementsEqual(pattern) { return index }
            index += 1
        }
        return nil
    }

    struct FormError: Error, Sendable {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// `Content-Disposition: form-data; name="…"; filename="…"` from one part's headers.
    private struct Disposition {
        var name: String
        var filename: String?

        init?(headers: String) {
            let lines = headers.split(separator: "\r\n")
            guard let line = lines.first(where: { $0.lowercased().hasPrefix("content-disposition:") }) else { return nil }
            let fields = line.dropFirst("content-disposition:".count).split(separator: ";").map { String($0).trimmingWhitespace() }
            guard fields.first?.lowercased() == "form-data" else { return nil }
            var name: String?
            for field in fields.dropFirst() {
                let pair = field.split(separator: "=", maxSplits: 1)
                guard pair.count == 2 else { continue }
                var value = String(pair[1])
                if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
                switch pair[0].lowercased() {
                case "name": name = value
                case "filename": filename = value
                default: continue
                }
            }
            guard let name else { return nil }
            self.name = name
        }
    }
}
