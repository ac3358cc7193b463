import Foundation

/// An API key that cannot be printed: its description, debug description and dump are
/// redacted, so it never reaches a log line, an error message or a metric label by accident.
public struct APIKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret itself, read only where the Authorization header is written.
    let secret: String

    public init(_ secret: String) {
        self.secret = secret.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Reads a key from a file, as Kubernetes and Docker mount secrets; surrounding white space
    /// (the usual trailing newline) is dropped.
    public init(contentsOfFile path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw APIKeyError(message: "cannot read the API key file \(path)")
        }
        self.init(String(decoding: data, as: UTF8.self))
        if secret.isEmpty { throw APIKeyError(message: "the API key file \(path) is empty") }
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "APIKey(<redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: []) }
    public var isEmpty: Bool { secret.isEmpty }

}

public struct APIKeyError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
