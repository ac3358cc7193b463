/// Where the cluster remembers which structured-output dialect an endpoint accepted, so a
/// worker that starts later asks in that form at once instead of finding out again. PostgreSQL
/// implements it (TaskStore's `EndpointDialectRecords`, wired in Wiring).
public protocol DialectMemory: Sendable {
    /// The dialect remembered for `model` at `endpoint`, if any.
    func recall(endpoint: String, model: String) async throws -> StructuredOutputDialect?
    /// Remembers `dialect` for `model` at `endpoint`; `refused` says what the endpoint answered
    /// to the forms tried before it (nil when the first form was accepted).
    func remember(_ dialect: StructuredOutputDialect, endpoint: String, model: String, refused: String?) async throws
}
