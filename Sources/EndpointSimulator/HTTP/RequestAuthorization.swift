import Hummingbird
import TreeInstructCore

/// The optional API key check: `Authorization: Bearer <key>`, compared in constant time.
enum RequestAuthorization {
    static func allows(_ request: Request, key: String?) -> Bool {
        guard let key else { return true }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return false }
        return SecretComparison.matches(header.dropFirst(7), key)
    }

    /// OpenAI's 401 for a request without the key, or nil when it may pass.
    static func refusal(of request: Request, key: String?) -> Response? {
        allows(request, key: key) ? nil : SimulatorRoutes.error(.unauthorized)
    }
}
