import Logging
import PostgresNIO
import TreeInstructCore

/// The pool, with a limit on every wait for the database.
///
/// A statement on a pool whose server died can wait forever: for a connection while the pool
/// retries, or for an answer on a connection whose server is gone (no timer runs for it). Each
/// statement here gets `limit` to start answering (a connection included), then fails with
/// `DatabaseTimeout` and is abandoned, so a command ends with one line and a worker retries
/// where it logs. Rows are read after that as they come (a closed connection ends them at once).
struct BoundedClient: Sendable {
    let pool: PostgresClient
    let limit: Duration

    func query(_ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line) async throws -> PostgresRowSequence {
        try await Self.within(limit) { try await pool.query(query, logger: logger, file: file, line: line) }
    }

    /// A transaction within one limit for the whole of it (one shard's inserts).
    func withTransaction<Result: Sendable>(
        logger: Logger, _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await Self.within(limit) { try await pool.withTransaction(logger: logger) { try await body($0) } }
    }

    /// `operation`, abandoned with `DatabaseTimeout` when it has not ended after `limit`.
    static func within<Result: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> Result) async throws -> Result {
        do {
            return try await withDeadline(limit) { try await abandoningOnCancel(operation) }
        } catch is DeadlinePassed {
            throw DatabaseTimeout(limit: limit)
        }
    }
}

/// The database did not answer in time: down, unreachable, or stuck.
public struct DatabaseTimeout: Error, CustomStringConvertible {
    public let limit: Duration
    public var description: String {
        "the database did not answer within \(Int(limit.inSeconds.rounded())) s (is the server down or unreachable? the limit is TREEINSTRUCT_DB_TIMEOUT)"
    }
}
