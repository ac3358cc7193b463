import Foundation
import PostgresNIO
import TaskStore

/// Ops/sql/roles.sql applied to a test schema, with a test-only password on each role, and
/// connections as those roles. Roles belong to the whole server, so applications are taken one
/// at a time (suites run in parallel).
public enum TestRoles {
    public static let password = "role-test-only"
    public static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Ops/sql/roles.sql").standardized

    /// Applies the script to `database`'s schema.
    public static func apply(to database: Database) async throws {
        try await Serializer.shared.run {
            let text = try String(contentsOf: script, encoding: .utf8)
            try await database.client.withConnection { connection in
                try await connection.query("SELECT set_config('treeinstruct.schema', \(database.schema), false)", logger: database.logger)
                for statement in SQLScript.statements(text) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: database.logger)
                }
                for role in ["treeinstruct_worker", "treeinstruct_coordinator", "treeinstruct_monitor"] {
                    try await connection.query(PostgresQuery(unsafeSQL: "ALTER ROLE \(role) PASSWORD '\(password)'"), logger: database.logger)
                }
            }
        }
    }

    /// `database`'s settings with `role` as the user.
    public static func settings(_ role: String, like database: Database) -> DatabaseSettings {
        var settings = database.settings
        settings.user = role
        settings.password = password
        return settings
    }

    actor Serializer {
        static let shared = Serializer()
        private var busy = false
        private var waiting: [CheckedContinuation<Void, Never>] = []

        func run(_ body: @Sendable () async throws -> Void) async throws {
            while busy { await withCheckedContinuation { waiting.append($0) } }
            busy = true
            defer {
                busy = false
                if !waiting.isEmpty { waiting.removeFirst().resume() }
            }
            try await body()
        }
    }
}
