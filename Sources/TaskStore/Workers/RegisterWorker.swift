import PostgresNIO
import TreeInstructCore

extension WorkerRegistry {
    public func register(_ worker: WorkerIdentity) async throws {
        try await client.query(
            """
            INSERT INTO \(unescaped: s).workers (id, host, pid, version, concurrency)
            VALUES (\(worker.id), \(worker.host), \(worker.pid), \(worker.version), \(worker.concurrency))
            ON CONFLICT (id) DO UPDATE SET last_heartbeat = now(), stopped_at = NULL
            """, logger: logger)
    }
}
