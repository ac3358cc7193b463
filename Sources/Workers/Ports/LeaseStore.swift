import TreeInstructCore

/// What the worker core needs of the task store, and nothing more: leases on tasks, fenced by
/// their tokens. PostgreSQL implements it (Wiring's `PostgresLeaseStore`); tests may use it as
/// it is. The seam that keeps the core free of the database, as River's driver interface does.
public protocol LeaseStore: Sendable {
    /// Announces the worker (shown in active_workers).
    func register(_ worker: WorkerIdentity) async throws
    /// Leases up to `limit` due tasks (of `runIDs` only, when given) for `lease`.
    func claim(workerID: String, limit: Int, lease: Duration, runIDs: [Int64]?) async throws -> [ClaimedTask]
    /// Renews the leases of `tasks` (the worker's, named by their tokens); returns the ids of the
    /// tasks it still holds.
    func heartbeat(workerID: String, holding tasks: [ClaimedTask], lease: Duration) async throws -> Set<Int64>
    /// Stores accepted outputs (and their follow-ups) of tasks the worker holds, in one go.
    func complete(_ completions: [Completion], workerID: String) async throws -> [Int64: LeaseOutcome]
    /// Records a failed attempt: back to pending after `retryDelay`, or failed for good.
    func fail(
        _ task: ClaimedTask, workerID: String, failure: AttemptFailure, retryDelay: Duration,
        report: CallReport
    ) async throws -> LeaseOutcome
    /// Gives tasks back unchanged (shutdown); returns how many were still held.
    func release(_ tasks: [ClaimedTask], workerID: String) async throws -> Int
    /// Returns tasks whose leases expired (their worker died) to pending; returns how many.
    func reapExpiredLeases() async throws -> Int
    /// Marks the worker stopped.
    func markStopped(workerID: String) async throws
    /// Pending and running tasks of `runIDs` (all runs when nil).
    func openTaskCount(runIDs: [Int64]?) async throws -> Int
    /// The method of a run, fixed at its creation.
    func runConfig(id: Int64) async throws -> RunConfig
}
