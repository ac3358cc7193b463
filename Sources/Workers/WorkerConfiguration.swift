import Foundation
import TreeInstructCore

/// How one worker process behaves: how much it keeps in flight, how long it holds leases,
/// how it stops.
public struct WorkerConfiguration: Sendable {
    /// Unique per process; shown in active_workers and stored on every lease and attempt.
    public var id: String
    /// LLM calls in flight at most.
    public var concurrency: Int
    /// Tasks claimed per round trip, at most (never more than free slots).
    public var claimBatch: Int
    /// A lease lasts this long unless renewed; a killed worker's tasks return after it.
    public var leaseSeconds: Double
    /// Leases are renewed this often (well inside `leaseSeconds`).
    public var heartbeatSeconds: Double
    /// Expired leases are looked for this often.
    public var reapSeconds: Double
    /// After a stop signal, in-flight calls get this long to finish before their tasks are released.
    public var graceSeconds: Double
    /// Wait between claims when nothing is due.
    public var idleSeconds: Double
    /// Only these runs, when set.
    public var runIDs: [Int64]?
    /// Stop once the runs have no pending or running task left (local mode, tests).
    public var exitWhenDone: Bool
    public var backoff: Backoff

    public init(
        id: String = WorkerConfiguration.defaultID(), concurrency: Int = 16, claimBatch: Int? = nil,
        leaseSeconds: Double = 60, heartbeatSeconds: Double? = nil, reapSeconds: Double = 15,
        graceSeconds: Double = 30, idleSeconds: Double = 1, runIDs: [Int64]? = nil, exitWhenDone: Bool = false,
        backoff: Backoff = Backoff()
    ) {
        self.id = id
        self.concurrency = max(1, concurrency)
        self.claimBatch = max(1, claimBatch ?? min(64, max(1, concurrency / 2)))
        self.leaseSeconds = leaseSeconds
        self.heartbeatSeconds = heartbeatSeconds ?? leaseSeconds / 3
        self.reapSeconds = reapSeconds
        self.graceSeconds = graceSeconds
        self.idleSeconds = idleSeconds
        self.runIDs = runIDs
        self.exitWhenDone = exitWhenDone
        self.backoff = backoff
    }

    /// `host-pid-random`, readable in SQL and unique across restarts.
    public static func defaultID() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        return "\(host)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}
