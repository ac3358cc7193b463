import LLMClient
import TaskStore

/// The dialect each endpoint accepted is kept beside its health, for the whole cluster.
extension EndpointHealthRecords: DialectMemory {
    public func recall(endpoint: String, model: String) async throws -> StructuredOutputDialect? {
        try await recallDialect(endpoint: endpoint, model: model).flatMap(StructuredOutputDialect.init(rawValue:))
    }

    public func remember(_ dialect: StructuredOutputDialect, endpoint: String, model: String, refused: String?) async throws {
        try await rememberDialect(dialect.rawValue, endpoint: endpoint, model: model, refused: refused)
    }
}
