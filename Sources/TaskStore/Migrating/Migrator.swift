import Logging
import PostgresNIO

/// Brings a schema up to date with the migrations, safely from any number of processes.
///
/// Holds an advisory lock (per schema) on one connection while it works, so concurrent
/// migrators queue up and the later ones find nothing to do. Each migration runs in its own
/// transaction with search_path set to the schema and is recorded with its checksum; an
/// applied migration whose file has changed, or that no longer exists, stops everything.
public struct Migrator: Sendable {
    public let client: PostgresClient
    public let schema: String
    public let logger: Logger
    /// The longest wait for the schema check, and for each migration (default 30 s): a dead
    /// server ends a command instead of hanging it. A migration that builds an index on a very
    /// large table may need more (TREEINSTRUCT_DB_TIMEOUT).
    public let statementTimeout: Duration

    public init(database: Database) {
        self.init(client: database.client, schema: database.schema, logger: database.logger, statementTimeout: database.statementTimeout)
    }

    public init(client: PostgresClient, schema: String, logger: Logger, statementTimeout: Duration = .seconds(30)) {
        precondition(SchemaName.isValid(schema), "invalid schema name \(schema)")
        self.client = client
        self.schema = schema
        self.logger = logger
        self.statementTimeout = statementTimeout
    }

    var bounded: BoundedClient { BoundedClient(pool: client, limit: statementTimeout) }

    /// Applies what `migrations` has beyond what the schema records; returns what it applied.
    @discardableResult
    public func migrate(_ migrations: [Migration] = Migration.embedded) async throws -> [Migration] {
        let s = "\"\(schema)\""
        let lockKey = "treeinstruct.migrate.\(schema)"
        return try await client.withConnection { connection in
            // Waits while another migrator works: not bounded (a dead server ends it at once).
            try await connection.query("SELECT pg_advisory_lock(hashtext(\(lockKey)))", logger: logger)
            do {
                let applied = try await BoundedClient.within(statementTimeout) { try await prepare(connection, s) }
                let pending = try Self.pending(migrations, applied: applied)
                for migration in pending {
                    try await BoundedClient.within(statementTimeout) { try await apply(migration, on: connection, s) }
                    logger.info("applied migration", metadata: ["migration": "\(migration.name)"])
                }
                try await connection.query("SELECT pg_advisory_unlock(hashtext(\(lockKey)))", logger: logger)
                return pending
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(hashtext(\(lockKey)))", logger: logger)
                throw error
            }
        }
    }

    /// Which migrations are new; throws if the applied ones no longer match their files.
    static func pending(_ migrations: [Migration], applied: [Int: (name: String, checksum: String)]) throws -> [Migration] {
        let byVersion = Dictionary(migrations.map { ($0.version, $0) }, uniquingKeysWith: { first, _ in first })
        for (version, record) in applied.sorted(by: { $0.key < $1.key }) {
            guard let migration = byVersion[version] else {
                throw MigrationError(
                    "migration \(record.name) is applied in the database but missing from this build; use the build that applied it, or a newer one")
            }
            guard migration.checksum == record.checksum else {
                throw MigrationError(
                    "migration file \(migration.fileName) was edited after it was applied (checksum differs); add a new migration instead")
            }
        }
        return migrations.filter { applied[$0.version] == nil }.sorted { $0.version < $1.version }
    }

    /// Creates the schema and its ledger on first use only: roles without CREATE (the
    /// coordinator's, Ops/sql/roles.sql) then find an up-to-date schema and change nothing.
    private func prepare(_ connection: PostgresConnection, _ s: String) async throws -> [Int: (name: String, checksum: String)] {
        var ledgerExists = false
        for try await exists in try await connection.query(
            "SELECT to_regclass(\(s + ".schema_migrations")) IS NOT NULL", logger: logger
        ).decode(Bool.self) {
            ledgerExists = exists
        }
        if !ledgerExists {
            try await connection.query("CREATE SCHEMA IF NOT EXISTS \(unescaped: s)", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS \(unescaped: s).schema_migrations (
                    version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, logger: logger)
        }
        var applied: [Int: (name: String, checksum: String)] = [:]
        let rows = try await connection.query("SELECT version, name, checksum FROM \(unescaped: s).schema_migrations", logger: logger)
        for try await (version, name, checksum) in rows.decode((Int, String, String).self) {
            applied[version] = (name, checksum)
        }
        return applied
    }

    private func apply(_ migration: Migration, on connection: PostgresConnection, _ s: String) async throws {
        do {
            try await connection.withTransaction(logger: logger) { connection in
                try await connection.query("SET LOCAL search_path TO \(unescaped: s), public", logger: logger)
                for statement in SQLScript.statements(migration.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    """
                    INSERT INTO \(unescaped: s).schema_migrations (version, name, checksum)
                    VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                    """, logger: logger)
            }
        } catch let error as PostgresTransactionError {
            let cause = error.closureError ?? error.beginError ?? error.commitError ?? error.rollbackError
            let message = (cause as? PSQLError)?.serverInfo?[.message] ?? cause.map { "\($0)" } ?? "\(error)"
            throw MigrationError("migration \(migration.fileName) failed: \(message)")
        }
    }
}

public struct MigrationError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

import Foundation
