import ArgumentParser
import Foundation
import Logging
import TaskStore
import TreeInstructCore

/// Which database and schema; shared by every command that touches the task store.
///
/// There is deliberately no flag carrying a connection URL: a password on a command line is
/// visible to every user in `ps`. Use DATABASE_URL, the PG* variables, ~/.pgpass, or a file.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "File holding a postgres:// URL (env DATABASE_URL_FILE; or the URL itself in DATABASE_URL, or the PG* variables).")
    var databaseURLFile: String?

    @Option(name: .long, help: "PostgreSQL schema for all tables (env TREEINSTRUCT_SCHEMA, default treeinstruct).")
    var schema: String?

    @Option(name: .long, help: "Log format: text or json (env TREEINSTRUCT_LOG_FORMAT).")
    var logFormat: LogFormat?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical (env TREEINSTRUCT_LOG_LEVEL, default info).")
    var logLevel: String?

    @Option(
        name: .long, parsing: .unconditional,
        help: "Seconds to wait for the database to answer a statement, \(Self.timeoutRange) (env TREEINSTRUCT_DB_TIMEOUT, default 30).")
    var dbTimeout: Double?

    static let timeoutRange = 1.0...3600.0

    /// How long one statement may wait (a connection included) before the command fails.
    func statementTimeout() throws -> Duration {
        .seconds(try Environment.double(dbTimeout, "--db-timeout", "TREEINSTRUCT_DB_TIMEOUT", default: 30, in: Self.timeoutRange) ?? 30)
    }

    /// The database these options name, not yet connected.
    func database(_ logger: Logger) throws -> Database {
        try Database(settings: settings { logger.warning("\($0)") }, schema: schemaName, statementTimeout: statementTimeout(), logger: logger)
    }

    func settings(warn: (String) -> Void) throws -> DatabaseSettings {
        var url = Environment.values["DATABASE_URL"]
        if let file = Environment.string(databaseURLFile, "DATABASE_URL_FILE") {
            guard let data = FileManager.default.contents(atPath: file) else { throw UsageError("cannot read the database URL file \(file)") }
            url = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return try DatabaseSettings.resolve(url: url, environment: Environment.values, warn: warn)
    }

    /// Checked at parse time: a bad schema name or log setting is refused before anything runs.
    func validate() throws {
        _ = try statementTimeout()
        guard SchemaName.isValid(schemaName) else {
            let source = schema == nil ? "TREEINSTRUCT_SCHEMA" : "--schema"
            throw ValidationError(
                "\(source) must be a lower-case identifier ([a-z_][a-z0-9_]*, at most 63 characters), got \"\(PrintableName.shown(schemaName, limit: 70))\""
            )
        }
    }

    var schemaName: String { Environment.string(schema, "TREEINSTRUCT_SCHEMA", default: "treeinstruct")! }

    func logger(_ label: String) throws -> Logger {
        try LogBootstrap.once(
            format: Environment.string(logFormat?.rawValue, "TREEINSTRUCT_LOG_FORMAT", default: "text")!,
            level: Environment.string(logLevel, "TREEINSTRUCT_LOG_LEVEL", default: "info")!)
        return Logger(label: label)
    }

    /// What a command needs of the schema before its body runs.
    enum SchemaUse {
        /// Bring it up to date first (`submit`: the first command of a new database).
        case migrate
        /// Refuse with "run `treeinstruct migrate`" unless it is up to date.
        case requireCurrent
        /// Nothing (`migrate` itself).
        case none
    }

    /// Connects (checking the database answers), prepares the schema, runs `body`, and stops the pool.
    func withDatabase<Result: Sendable>(
        schema use: SchemaUse = .requireCurrent,
        _ body: @Sendable (Database) async throws -> Result
    ) async throws -> Result {
        let logger = try logger("treeinstruct")
        let database = try database(logger)
        return try await database.withRunning { database in
            switch use {
            case .migrate: try await Migrator(database: database).migrate()
            case .requireCurrent: try await Migrator(database: database).requireCurrent()
            case .none: break
            }
            return try await body(database)
        }
    }
}

enum LogFormat: String, ExpressibleByArgument, CaseIterable { case text, json }
