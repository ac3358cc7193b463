import PostgresTestSupport
import TaskStore

/// A task queue on a fresh, migrated schema of the test server.
enum TestQueue {
    static func make() async throws -> QueueSchema {
        try await TestPostgres.database().queue
    }
}
