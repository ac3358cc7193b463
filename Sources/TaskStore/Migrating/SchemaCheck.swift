import Logging
import PostgresNIO

/// Whether a schema holds the tables this build expects, checked before a command reads or
/// writes them, so an unmigrated or outdated database is one line saying what to run rather
/// than "relation does not exist" from deep inside a query.
extension Migrator {
    /// Throws `SchemaNotReady` unless every migration this build embeds is applied.
    public func requireCurrent(_ migrations: [Migration] = Migration.embedded) async throws {
        let ledger = "\"\(schema)\".schema_migrations"
        var exists = false
        for try await found in try await bounded.query("SELECT to_regclass(\(ledger)) IS NOT NULL", logger: logger).decode(Bool.self) {
            exists = found
        }
        guard exists else { throw SchemaNotReady(schema: schema, applied: nil, needed: migrations.map(\.version).max() ?? 0) }
        var applied = Set<Int>()
        let rows = try await bounded.query("SELECT version FROM \(unescaped: "\"\(schema)\"").schema_migrations", logger: logger)
        for try await version in rows.decode(Int.self) { applied.insert(version) }
        let missing = migrations.map(\.version).filter { !applied.contains($0) }
        guard missing.isEmpty else {
            throw SchemaNotReady(schema: schema, applied: applied.max(), needed: migrations.map(\.version).max() ?? 0)
        }
    }
}

/// The schema lacks tables or migrations this build needs.
public struct SchemaNotReady: Error, CustomStringConvertible {
    public let schema: String
    /// Highest migration applied; nil when the schema has no task store at all.
    public let applied: Int?
    public let needed: Int

    public var description: String {
        guard let applied else {
            return "schema \"\(schema)\" has no TreeInstruct tables: run `treeinstruct migrate` (or check --schema / TREEINSTRUCT_SCHEMA)"
        }
        return "schema \"\(schema)\" is at migration \(applied) and this treeinstruct needs \(needed): run `treeinstruct migrate`"
    }
}
