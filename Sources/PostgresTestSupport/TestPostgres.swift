import EmbeddedPostgres
import Foundation
import Logging
import PostgresNIO
import TaskStore
import Testing

/// A real PostgreSQL for tests: DATABASE_URL when set, otherwise one private server per test
/// process in a temporary directory (fsync off), stopped when the process exits. Each test gets
/// its own freshly migrated schema, so suites run in parallel without seeing each other.
public enum TestPostgres {
    /// Whether a server can be had at all; tests that need one are disabled (with this reason)
    /// only when it cannot.
    public static let canStart: Bool =
        ProcessInfo.processInfo.environment["DATABASE_URL"] != nil
        || (try? EmbeddedPostgres.locateBinaries()) != nil
    public static let unavailableReason: Comment =
        "PostgreSQL cannot be started: no DATABASE_URL and no initdb/pg_ctl (apt-get install postgresql)"

    /// A migrated database on a new schema.
    public static func database(migrate: Bool = true) async throws -> Database {
        let shared = try await SharedServer.instance.connection()
        let schema = "t_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        let database = try Database(sharing: shared.client, settings: shared.settings, schema: schema, logger: shared.logger)
        if migrate { try await Migrator(database: database).migrate() }
        return database
    }

    /// The settings of the shared server (for tests that connect on their own, e.g. with a wrong password).
    public static func settings() async throws -> DatabaseSettings {
        try await SharedServer.instance.connection().settings
    }
}

/// The process-wide server and its running client pool.
actor SharedServer {
    static let instance = SharedServer()

    struct Connection: Sendable {
        let settings: DatabaseSettings
        let client: PostgresClient
        let logger: Logger
    }

    private var started: Connection?
    /// Callers that came while the server was starting (the actor is re-entered at each await).
    private var waiting: [CheckedContinuation<Connection, any Error>]?

    /// The shared server, started by the first caller only; the others wait for it.
    func connection() async throws -> Connection {
        if let started { return started }
        if waiting != nil { return try await withCheckedThrowingContinuation { waiting?.append($0) } }
        waiting = []
        do {
            let connection = try await start()
            started = connection
            for waiter in waiting ?? [] { waiter.resume(returning: connection) }
            waiting = nil
            return connection
        } catch {
            for waiter in waiting ?? [] { waiter.resume(throwing: error) }
            waiting = nil
            throw error
        }
    }

    private func start() async throws -> Connection {
        var logger = Logger(label: "treeinstruct.tests")
        logger.logLevel = .warning
        let settings: DatabaseSettings
        if let url = ProcessInfo.processInfo.environment["DATABASE_URL"] {
            settings = try DatabaseSettings.resolve(url: url, environment: ProcessInfo.processInfo.environment)
        } else {
            let directory = NSTemporaryDirectory() + "treeinstruct-tests-\(getpid())-\(UUID().uuidString.prefix(8))/data"
            let server = EmbeddedPostgres(dataDirectory: directory, durable: false)
            let endpoint = try await server.started()
            ServerStopper.register(server)
            settings = DatabaseSettings(
                host: endpoint.host, port: endpoint.port, user: endpoint.user, password: endpoint.password,
                database: endpoint.database, sslMode: .disable)
        }
        let database = try Database(settings: settings, schema: "treeinstruct", maxConnections: 40, logger: logger)
        // The pool runs for the rest of the test process; no task of the tests outlives it.
        Task.detached { await database.client.run() }
        return Connection(settings: settings, client: database.client, logger: logger)
    }
}

/// Stops the private server when the test process exits normally.
enum ServerStopper {
    nonisolated(unsafe) private static var server: EmbeddedPostgres?

    static func register(_ server: EmbeddedPostgres) {
        Self.server = server
        atexit {
            guard let server = ServerStopper.server else { return }
            try? server.stop()
            try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: server.dataDirectory).deletingLastPathComponent().path)
        }
    }
}
