import PostgresNIO
import TreeInstructCore

extension WorkerRegistry {
    /// Records a clean stop, so the worker leaves active_workers at once.
    public func markStopped(workerID: String) async throws {
        try await client.query(
            """
            UPDATE \(unescaped: s).workers SET stopped_at = now() WHERE id = \(workerID)
            """, logger: logger)
    }
}
