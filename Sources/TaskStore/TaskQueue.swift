import Logging
import PostgresNIO
import TreeInstructCore

/// The cluster's only shared state, seen as a queue: every statement that claims, finishes,
/// retries or watches tasks is a method here, one statement per file under Statements/.
///
/// All tables live in one PostgreSQL schema; `schema` is a validated identifier, interpolated
/// unescaped only as a name. Every value travels as a bind parameter.
public struct TaskQueue: Sendable {
    public let client: PostgresClient
    public let schema: String
    public let logger: Logger

    public init(client: PostgresClient, schema: String, logger: Logger) {
        precondition(SchemaName.isValid(schema), "invalid schema name \(schema)")
        self.client = client
        self.schema = schema
        self.logger = logger
    }

    /// `"schema"`, quoted for use before a table name.
    var s: String { "\"\(schema)\"" }
}

/// Schema names are put into SQL text, so only plain lower-case identifiers are allowed.
public enum SchemaName {
    public static func isValid(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 63 else { return false }
        let isLowerOrUnderscore = { (byte: UInt8) in (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || byte == UInt8(ascii: "_") }
        return isLowerOrUnderscore(first)
            && name.utf8.allSatisfy { isLowerOrUnderscore($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
