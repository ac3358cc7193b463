import Hummingbird

/// The optional API key check: `Authorization: Bearer <key>`, compared in constant time.
enum RequestAuthorization {
    static func allows(_ request: Request, key: String?) -> Bool {
        guard let key else { return true }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return false }
        let given = Array(header.utf8.dropFirst(7))
        let expected = Array(key.utf8)
        guard given.count == expected.count else { return false }
        return zip(given, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
