import Foundation
import TreeInstructCore

/// How one worker process behaves: how much it keeps in flight, how long it holds leases,
/// how it stops.
public struct WorkerConfiguration: Sendable {
    /// Unique per process; shown in active_workers and stored on every lease and attempt.
    public var id: String
    /// LLM calls in flight at most.
    public var concurrency: Int
    /// Adapt the calls in flight to the server's latency (`AdaptiveConcurrency`), starting at
    /// one, up to `concurrency` (`--concurrency auto`; default false: always `concurrency`).
    public var adaptiveConcurrency = false
    /// Tasks claimed per round trip, at most (never more than free slots).
    public var claimBatch: Int
    /// While its slots are nearly all taken, a worker waits this long at most for half a claim
    /// batch of them to free before it claims what is free (default 30 ms): small claims cost
    /// the database as much per statement as large ones, and four workers sharing two cores
    /// each claimed a few tasks every 5 ms (`BENCHMARKS.md`, issue 15). With slots free it
    /// claims at once, so a short queue waits for nothing.
    public var claimPatience: Duration = .milliseconds(30)
    /// How long a completion waits for others to share its statement when none is being
    /// written (default 5 ms; the ones that gather during a write go at once).
    public var completionWindow: Duration = .milliseconds(5)
    /// When completions gathered while the last statement was written, how long after that
    /// statement began the next waits at most for half a statement (or half the slots, if fewer)
    /// (default 30 ms): four workers on two cores wrote 21 completions a statement, 34 with it,
    /// and one worker's 47 became 55, with less database and worker CPU per task
    /// (`BENCHMARKS.md`, issue 15). A completion that finds no statement being written waits
    /// only `completionWindow`.
    public var completionPatience: Duration = .milliseconds(30)
    /// A lease lasts this long unless renewed; a killed worker's tasks return after it (default 60 s).
    public var lease: Duration
    /// Leases are renewed this often, well inside `lease` (default a third of it).
    public var heartbeat: Duration
    /// Expired leases are looked for this often (default 15 s).
    public var reapInterval: Duration
    /// After a stop signal, in-flight calls get this long to finish before their tasks are released (default 30 s).
    public var grace: Duration
    /// After that, how long the last statements (release, stopped) may wait on the database:
    /// one that is gone must not hold the stop; leases expire on their own (default 5 s).
    public var stopPatience: Duration = .seconds(5)
    /// A summary line in the log this often: answers accepted and rejected, errors, 429s, the
    /// endpoint's state, calls in flight (default 60 s).
    public var summaryEvery: Duration = .seconds(60)
    /// Wait between claims when nothing is due (default 1 s). A worker that leaves once the runs
    /// are done waits less at their end: for its own calls, then from 20 ms doubling up to this.
    public var idle: Duration
    /// Only these runs, when set.
    public var runIDs: [Int64]?
    /// Stop once the runs have no pending or running task left, nor a batch still to apply (local mode, tests).
    public var exitWhenDone: Bool
    public var backoff: Backoff
    /// How the worker reads and reacts to the endpoint's shared health (outages, spent quota).
    public var endpoint: EndpointHealthPolicy
    /// How batch-mode runs are sent, when the worker is given a Batch API (default: the
    /// endpoint's key, OpenAI's limits; see `BatchPolicy`).
    public var batches: BatchPolicy?

    public init(
        id: String = WorkerConfiguration.defaultID(), concurrency: Int = 16, claimBatch: Int? = nil,
        lease: Duration = .seconds(60), heartbeat: Duration? = nil, reapInterval: Duration = .seconds(15),
        grace: Duration = .seconds(30), idle: Duration = .seconds(1), runIDs: [Int64]? = nil, exitWhenDone: Bool = false,
        backoff: Backoff = Backoff(), endpoint: EndpointHealthPolicy = EndpointHealthPolicy()
    ) {
        self.id = id
        self.concurrency = max(1, concurrency)
        self.claimBatch = max(1, claimBatch ?? Self.claimBatch(forConcurrency: concurrency))
        self.lease = lease
        self.heartbeat = heartbeat ?? lease / 3
        self.reapInterval = reapInterval
        self.grace = grace
        self.idle = idle
        self.runIDs = runIDs
        self.exitWhenDone = exitWhenDone
        self.backoff = backoff
        self.endpoint = endpoint
    }

    /// Half the calls in flight, at most 64: the default tasks per claim.
    public static func claimBatch(forConcurrency concurrency: Int) -> Int { min(64, max(1, concurrency / 2)) }

    /// A fixed number of calls in flight, or (`adaptive`) at most that many, found as the worker goes.
    public mutating func setConcurrency(_ limit: Int, adaptive: Bool) {
        concurrency = max(1, limit)
        adaptiveConcurrency = adaptive
        claimBatch = Self.claimBatch(forConcurrency: concurrency)
    }

    /// `host-pid-random`, readable in SQL and unique across restarts.
    public static func defaultID() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        return "\(host)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}
