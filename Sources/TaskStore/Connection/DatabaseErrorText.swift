import Foundation
import NIOCore
import NIOPosix
import PostgresNIO

/// One line for a database error: the server's SQLSTATE, message, detail and hint, or what
/// the client saw. postgres-nio's own description of a PSQLError is a deliberately generic
/// "Generic description to prevent accidental leakage of sensitive data", which tells a user
/// nothing; the server's message holds no password, so it is shown.
public enum DatabaseErrorText {
    /// The text for `error` if it came from PostgreSQL or postgres-nio; nil otherwise.
    public static func describe(_ error: any Error) -> String? {
        var error = error
        if let transaction = error as? PostgresTransactionError {
            error = transaction.closureError ?? transaction.beginError ?? transaction.commitError ?? transaction.rollbackError ?? error
        }
        guard let psql = error as? PSQLError else { return nil }
        if let info = psql.serverInfo, let message = info[.message] {
            var text = "PostgreSQL \(info[.sqlState] ?? "error"): \(message)"
            if let detail = info[.detail] { text += " (\(detail))" }
            if let hint = info[.hint] { text += "; hint: \(hint)" }
            return text
        }
        return clientSide(psql)
    }

    /// Whether `error` says the database went away or could not be reached (closed, reset,
    /// refused): the server's unavailability, not a fault of the request (exit 69, not 1).
    public static func isUnavailable(_ error: any Error) -> Bool {
        if error is ConnectionClosed { return true }
        var error = error
        if let transaction = error as? PostgresTransactionError { error = transaction.closureError ?? error }
        guard let psql = error as? PSQLError, psql.serverInfo == nil else { return false }
        return [.serverClosedConnection, .uncleanShutdown, .connectionError].contains(psql.code)
    }

    /// The server's SQLSTATE for `error` ("42501": the role may not read that), when it came
    /// from the server.
    public static func sqlState(_ error: any Error) -> String? {
        var error = error
        if let transaction = error as? PostgresTransactionError { error = transaction.closureError ?? error }
        return (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    private static func clientSide(_ error: PSQLError) -> String {
        switch error.code {
        case .authMechanismRequiresPassword:
            return
                "the server asks for a password and none was given: set PGPASSWORD, add a line to ~/.pgpass (or the file PGPASSFILE names), or put it in DATABASE_URL"
        case .sslUnsupported:
            return "the server does not support TLS, which sslmode requires (use sslmode=prefer or disable for a local server)"
        case .serverClosedConnection, .uncleanShutdown:
            return "the database closed the connection" + underlying(error)
        case .connectionError:
            switch errno(of: error.underlying) {
            case ENOENT?: return "no server socket there (is PostgreSQL running, and is PGHOST the right socket directory?)"
            case ECONNREFUSED?: return "connection refused (is PostgreSQL running and listening on that host and port?)"
            case let code?: return "cannot reach the database: \(String(cString: strerror(code)))"
            case nil: return "cannot reach the database" + underlying(error)
            }
        case .queryCancelled:
            return "the query was cancelled"
        default:
            return "database client error \(error.code)" + underlying(error)
        }
    }

    /// The system error under a failed connect: a socket's own, or the first of the addresses tried.
    private static func errno(of error: (any Error)?) -> Int32? {
        if let error = error as? IOError { return error.errnoCode }
        if let error = error as? NIOConnectionError { return error.connectionErrors.lazy.compactMap { errno(of: $0.error) }.first }
        return nil
    }

    private static func underlying(_ error: PSQLError) -> String {
        error.underlying.map { ": \($0)" } ?? ""
    }
}
