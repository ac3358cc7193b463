import Logging
import TreeInstructCore
import NIOSSL
import PostgresNIO

/// A pooled connection to the task database and the schema the app's tables live in.
///
/// The pool must be running for queries to go anywhere: use `withRunning` for a command that
/// does its work and ends, or put `client` first in a ServiceGroup (so it stops last).
public struct Database: Sendable {
    public let settings: DatabaseSettings
    public let schema: String
    public let client: PostgresClient
    public let logger: Logger
    /// The longest wait for one statement to start answering, a connection included (default
    /// 30 s): past it the statement fails with `DatabaseTimeout` instead of waiting on a dead
    /// server for ever.
    public let statementTimeout: Duration

    public init(
        settings: DatabaseSettings, schema: String = "treeinstruct", maxConnections: Int = 20, statementTimeout: Duration = .seconds(30),
        logger: Logger
    ) throws {
        guard SchemaName.isValid(schema) else {
            throw DatabaseSettingsError("schema must be a lower-case identifier ([a-z_][a-z0-9_]*, at most 63), got \"\(schema)\"")
        }
        self.settings = settings
        self.schema = schema
        self.logger = logger
        self.statementTimeout = statementTimeout
        var configuration =
            switch ConnectionTarget(settings) {
            case .socket(let path):
                PostgresClient.Configuration(unixSocketPath: path, username: settings.user, password: settings.password, database: settings.database)
            case .tcp(let host, let port, let tls):
                PostgresClient.Configuration(
                    host: host, port: port, username: settings.user, password: settings.password, database: settings.database,
                    tls: tls.map { $0.use == .require ? .require($0.configuration) : .prefer($0.configuration) } ?? .disable)
            }
        configuration.options.connectTimeout = settings.connectTimeout
        configuration.options.maximumConnections = maxConnections
        configuration.options.additionalStartupParameters = [("application_name", settings.applicationName)]
        var background = logger
        background.logLevel = max(logger.logLevel, .warning)
        client = PostgresClient(configuration: configuration, backgroundLogger: background)
    }

    /// Another schema over the same pool (tests give each case its own schema).
    public init(
        sharing client: PostgresClient, settings: DatabaseSettings, schema: String, statementTimeout: Duration = .seconds(30), logger: Logger
    ) throws {
        guard SchemaName.isValid(schema) else { throw DatabaseSettingsError("invalid schema name \"\(schema)\"") }
        self.statementTimeout = statementTimeout
        self.client = client
        self.settings = settings
        self.schema = schema
        self.logger = logger
    }

    /// The task queue over this database.
    public var queue: QueueSchema { QueueSchema(client: client, schema: schema, logger: logger, statementTimeout: statementTimeout) }

    /// Runs `body` with the pool running, after checking that the database answers.
    public func withRunning<Result: Sendable>(checkFirst: Bool = true, _ body: @Sendable (Database) async throws -> Result) async throws -> Result {
        try await withThrowingTaskGroup(of: Void.self) { group in
            // The pool's run() ends when cancelled, but not promptly when a connection or a
            // request is stuck on a dead server: abandoned at the cancel, so no command waits on
            // its own pool to stop.
            group.addTask { try? await abandoningOnCancel { await client.run() } }
            defer { group.cancelAll() }
            if checkFirst { try await checkConnection() }
            return try await body(self)
        }
    }

    /// Opens one connection of its own and runs `SELECT 1`, within the connect timeout, so a
    /// wrong password or an unreachable host is one clear line. (Through the pool, such errors
    /// only make queries wait while the pool retries.)
    public func checkConnection() async throws {
        let timeout = settings.connectTimeout
        let settings = settings
        let logger = logger
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    let connection = try await PostgresConnection.connect(
                        configuration: try Self.connectionConfiguration(settings),
                        id: 0, logger: logger)
                    do {
                        try await connection.query("SELECT 1", logger: logger)
                    } catch {
                        try? await connection.close()
                        throw error
                    }
                    try? await connection.close()
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw DatabaseUnavailable(settings: settings, reason: "no answer within \(timeout.inSeconds.formatted()) s")
                }
                defer { group.cancelAll() }
                try await group.next()
            }
        } catch let error as DatabaseUnavailable {
            throw error
        } catch {
            throw DatabaseUnavailable(settings: settings, reason: DatabaseUnavailable.reason(for: error))
        }
    }

    static func connectionConfiguration(_ settings: DatabaseSettings) throws -> PostgresConnection.Configuration {
        var configuration =
            switch ConnectionTarget(settings) {
            case .socket(let path):
                PostgresConnection.Configuration(
                    unixSocketPath: path, username: settings.user, password: settings.password, database: settings.database)
            case .tcp(let host, let port, let tls):
                PostgresConnection.Configuration(
                    host: host, port: port, username: settings.user, password: settings.password, database: settings.database,
                    tls: try tls.map {
                        try $0.use == .require
                            ? .require(NIOSSLContext(configuration: $0.configuration)) : .prefer(NIOSSLContext(configuration: $0.configuration))
                    } ?? .disable)
            }
        configuration.options.connectTimeout = TimeAmount(settings.connectTimeout)
        return configuration
    }
}

/// The database cannot be used: one line saying where and why, without the password.
public struct DatabaseUnavailable: Error, CustomStringConvertible {
    public let settings: DatabaseSettings
    public let reason: String
    public var description: String { "cannot connect to \(settings.redacted): \(reason)" }

    static func reason(for error: any Error) -> String {
        DatabaseErrorText.describe(error) ?? "\(error)"
    }
}
