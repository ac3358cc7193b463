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

    /// Every row of `query`, gathered on the connection's event loop (for results of many rows,
    /// such as an export's pages).
    ///
    /// The streaming `query` above hands rows to a reader task and waits for its demand; a
    /// connection that closes in that wait stops the process in postgres-nio 1.33 (a
    /// precondition in RowStreamStateMachine: see Ops/notes/postgres-nio-row-stream.md). Rows
    /// gathered on the event loop are asked for in the same turn they arrive, so that wait never
    /// happens. The statement is written in the same turn that finds the connection open: one
    /// written to a connection already closed is dropped and never answered.
    func collect(_ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line) async throws -> PostgresQueryResult {
        try await Self.within(limit) {
            try await pool.withConnection { try await Self.statement(query, on: $0, logger: logger, file: file, line: line) }
        }
    }

    /// A transaction within one limit for the whole of it (one shard's inserts). Throws what
    /// `body` threw (after a rollback), or what BEGIN or COMMIT did.
    ///
    /// Not the library's `withTransaction`: it sends ROLLBACK after a failure even when the
    /// connection has closed, and that statement is never answered (Ops/notes/
    /// postgres-nio-row-stream.md, 2), so a shard insert cut by a dying server waited out the
    /// whole limit. Here BEGIN, COMMIT and ROLLBACK are written only to an open connection.
    func withTransaction<Result: Sendable>(
        logger: Logger, _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await Self.within(limit) {
            try await pool.withConnection { connection in
                _ = try await Self.statement("BEGIN", on: connection, logger: logger)
                let result: Result
                do {
                    result = try await body(connection)
                } catch {
                    _ = try? await Self.statement("ROLLBACK", on: connection, logger: logger)
                    throw error
                }
                _ = try await Self.statement("COMMIT", on: connection, logger: logger)
                return result
            }
        }
    }

    /// `query` on `connection`, written in the same event-loop turn that finds the connection
    /// open (one written to a closed connection is dropped and never answered), its rows
    /// gathered there. For every statement of a transaction.
    static func statement(
        _ query: PostgresQuery, on connection: PostgresConnection, logger: Logger, file: String = #fileID, line: Int = #line
    ) async throws -> PostgresQueryResult {
        let eventLoop = connection.eventLoop
        return try await eventLoop.flatSubmit { () -> EventLoopFuture<PostgresQueryResult> in
            guard !connection.isClosed else { return eventLoop.makeFailedFuture(ConnectionClosed()) }
            return connection.query(query, logger: logger, file: file, line: line)
        }.get()
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

/// The connection a statement was to go on had closed (the server went away).
public struct ConnectionClosed: Error, CustomStringConvertible {
    public var description: String { "the database closed the connection" }
}
