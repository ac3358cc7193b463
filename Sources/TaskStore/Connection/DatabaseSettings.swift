import Foundation

/// Where the database is and how to log in, resolved the way libpq does it, so the
/// DATABASE_URL, PG* variables and ~/.pgpass users already have keep working.
///
/// Precedence: the URL's parts, then the environment (PGHOST, PGPORT, PGUSER, PGPASSWORD,
/// PGDATABASE, PGSSLMODE, PGSSLROOTCERT, PGAPPNAME, PGCONNECT_TIMEOUT), then the password file
/// (PGPASSFILE or ~/.pgpass), then defaults (the local socket directory if it exists, else
/// localhost; port 5432; the OS user; a database named like the user).
public struct DatabaseSettings: Sendable, Hashable {
    public enum SSLMode: String, Sendable, Hashable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// A host name, or a directory holding the server's Unix socket (starts with `/`).
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var sslMode: SSLMode
    public var sslRootCert: String?
    public var applicationName: String
    /// How long a connection attempt may take (libpq's connect_timeout; default 10 s).
    public var connectTimeout: Duration

    public init(
        host: String, port: Int = 5432, user: String, password: String? = nil, database: String? = nil,
        sslMode: SSLMode = .prefer, sslRootCert: String? = nil, applicationName: String = "treeinstruct",
        connectTimeout: Duration = .seconds(10)
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database ?? user
        self.sslMode = sslMode
        self.sslRootCert = sslRootCert
        self.applicationName = applicationName
        self.connectTimeout = connectTimeout
    }

    public var usesUnixSocket: Bool { host.hasPrefix("/") }

    /// The socket file for a socket-directory host, as libpq names it.
    public var unixSocketPath: String? { usesUnixSocket ? "\(host)/.s.PGSQL.\(port)" : nil }

    /// `postgres://user@host:port/db`: for messages and logs; never contains the password.
    public var redacted: String {
        let shownHost = usesUnixSocket ? "[\(host)]" : host
        return "postgres://\(user)@\(shownHost):\(port)/\(database)"
    }

    /// Resolves settings from an optional URL and an environment. `readFile` reads the password
    /// file (returning its text and whether others may read it); injectable for tests.
    public static func resolve(
        url: String?, environment: [String: String],
        readFile: (String) -> (text: String, groupOrWorldReadable: Bool)? = DatabaseSettings.readPasswordFile,
        warn: (String) -> Void = { _ in }
    ) throws -> DatabaseSettings {
        let parsed = try url.map(ConnectionURL.parse) ?? ConnectionURL()
        func value(_ fromURL: String?, _ variable: String) -> String? {
            if let fromURL, !fromURL.isEmpty { return fromURL }
            if let fromEnvironment = environment[variable], !fromEnvironment.isEmpty { return fromEnvironment }
            return nil
        }
        let osUser = environment["USER"] ?? environment["LOGNAME"] ?? NSUserName()
        let host =
            value(parsed.host, "PGHOST")
            ?? (FileManager.default.fileExists(atPath: "/var/run/postgresql") ? "/var/run/postgresql" : "localhost")
        let portText = value(parsed.port, "PGPORT") ?? "5432"
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw DatabaseSettingsError("port must be a number from 1 to 65535, got \"\(portText)\"")
        }
        let user = value(parsed.user, "PGUSER") ?? osUser
        let database = value(parsed.database, "PGDATABASE") ?? user
        let modeText = value(parsed.sslMode, "PGSSLMODE") ?? "prefer"
        guard let sslMode = SSLMode(rawValue: modeText) else {
            throw DatabaseSettingsError("sslmode must be one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(modeText)\"")
        }
        let timeoutText = value(parsed.connectTimeout, "PGCONNECT_TIMEOUT") ?? "10"
        guard let timeout = Double(timeoutText), timeout > 0 else {
            throw DatabaseSettingsError("connect_timeout must be a positive number of seconds, got \"\(timeoutText)\"")
        }
        var password = value(parsed.password, "PGPASSWORD")
        if password == nil {
            let passFile = environment["PGPASSFILE"] ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.pgpass")
            if let file = readFile(passFile) {
                if file.groupOrWorldReadable {
                    warn("password file \(passFile) has group or world access; ignoring it (chmod 0600 it)")
                } else {
                    password = PasswordFile(text: file.text).password(host: host, port: port, database: database, user: user)
                }
            }
        }
        return DatabaseSettings(
            host: host, port: port, user: user, password: password, database: database, sslMode: sslMode,
            sslRootCert: value(parsed.sslRootCert, "PGSSLROOTCERT"),
            applicationName: value(parsed.applicationName, "PGAPPNAME") ?? "treeinstruct",
            connectTimeout: .seconds(timeout))
    }

    public static func readPasswordFile(_ path: String) -> (text: String, groupOrWorldReadable: Bool)? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let data = FileManager.default.contents(atPath: path)
        else { return nil }
        let permissions = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
        return (String(decoding: data, as: UTF8.self), permissions & 0o077 != 0)
    }
}

/// A connection setting that cannot be used; never carries the password.
public struct DatabaseSettingsError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = "database settings: " + description }
}
