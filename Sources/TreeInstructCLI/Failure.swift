import ArgumentParser
import Coordinator
import CorpusIngest
import Foundation
import NIOCore
import TaskStore
import TreeInstructCore
import Workers

/// What went wrong, as the single line a user sees and the exit code a script tests
/// (sysexits.h: 64 usage, 65 data, 66 no input, 69 unavailable, 73 cannot create output,
/// 78 configuration).
struct Failure {
    let message: String
    let exitCode: Int32

    init(_ error: any Error, subcommand: String?) {
        let (text, code) = Self.classify(error, subcommand: subcommand)
        // One line, whatever a server or library put in its message.
        message = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        exitCode = code
    }

    private static func classify(_ error: any Error, subcommand: String?) -> (String, Int32) {
        switch error {
        case let error as UsageError: return (error.description, 64)
        case let error as ValidationError: return (error.message, 64)
        case let error as DatabaseSettingsError: return ("\(error)", 64)
        case let error as NotFound: return (error.description, 66)
        case let error as RunConfigMismatch: return (error.description, 64)
        case let error as CorpusError:
            return (error.description, error.reason.code == "unreadable" ? 66 : 65)
        case let error as PortInUse: return (error.description, 69)
        case let error as OutputError: return (error.description, 73)
        case let error as DatabaseUnavailable: return (error.description + DatabaseHint.forUnreachable(), 69)
        case let error as DatabaseTimeout: return (error.description, 69)
        case let error as SchemaNotReady: return (error.description, 78)
        case let error as MigrationError: return (error.description, 78)
        case let error as EndpointUnusable: return (error.description, 69)
        case let error as QuotaExhausted: return (error.description, 69)
        default: break
        }
        if let text = DatabaseErrorText.describe(error) { return (text, DatabaseErrorText.isUnavailable(error) ? 69 : 1) }
        if DatabaseErrorText.isUnavailable(error) { return ("\(error)", 69) }
        if TreeInstruct.exitCode(for: error) == .validationFailure {
            // ArgumentParser's own parse errors: its short message, pointing at the help.
            let help = subcommand.map { "treeinstruct \($0) --help" } ?? "treeinstruct --help"
            return ("\(TreeInstruct.message(for: error)) (see \(help))", 64)
        }
        return ("\(error)", 1)
    }
}

/// A bad option, name or variable, found before anything was written.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A run, shard or file that does not exist.
struct NotFound: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension NotFound {
    /// "no run named X (runs: a, b)": what exists, so a typo is seen at once.
    static func run(_ name: String, among names: [String]) -> NotFound {
        let known = names.isEmpty ? "there are no runs yet" : "runs: " + names.map { PrintableName.shown($0, limit: 40) }.joined(separator: ", ")
        return NotFound("no run named \"\(PrintableName.shown(name, limit: 40))\" (\(known))")
    }
}

/// A port we were told to listen on is taken.
struct PortInUse: Error, CustomStringConvertible {
    let address: String
    let option: String
    var description: String {
        "cannot listen on \(address): the address is already in use by another process (choose another \(option), or 0 for a free one)"
    }

    /// Runs `body`, turning "address already in use" into this error.
    static func naming(_ address: String, option: String, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw PortInUse(address: address, option: option)
        }
    }
}

/// What to add when the database cannot be reached and nothing says where it is.
enum DatabaseHint {
    static let variables = ["DATABASE_URL", "DATABASE_URL_FILE", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGSERVICE"]

    static func forUnreachable() -> String {
        guard !variables.contains(where: { !(Environment.values[$0] ?? "").isEmpty }) else { return "" }
        return " (no DATABASE_URL or PG* variables are set: export DATABASE_URL=postgres://user@host:5432/db, or PGHOST, PGUSER and PGDATABASE; "
            + "for a private local database: eval \"$(treeinstruct postgres start)\")"
    }
}
