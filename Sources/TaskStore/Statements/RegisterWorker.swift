import PostgresNIO

/// Who a worker is, as shown in active_workers.
public struct WorkerIdentity: Sendable, Hashable {
    public var id: String
    public var host: String
    public var pid: Int
    public var version: String
    public var concurrency: Int

    public init(id: String, host: String, pid: Int, version: String, concurrency: Int) {
        self.id = id
        self.host = host
        self.pid = pid
        self.version = version
        self.concurrency = concurrency
    }
}

extension TaskQueue {
    public func register(_ worker: WorkerIdentity) async throws {
        try await client.query("""
            INSERT INTO \(unescaped: s).workers (id, host, pid, version, concurrency)
            VALUES (\(worker.id), \(worker.host), \(worker.pid), \(worker.version), \(worker.concurrency))
            ON CONFLICT (id) DO UPDATE SET last_heartbeat = now(), stopped_at = NULL
            """, logger: logger)
    }
}
