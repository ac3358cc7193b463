import Foundation

/// A private PostgreSQL server under a data directory, for the one-machine `local` mode and
/// for tests: created with initdb on first use, started on a free loopback port, reused by
/// later starts (a second `local` resumes the same run), stopped with pg_ctl.
///
/// The superuser's password is generated, handed to initdb through a file and kept in the
/// data directory with mode 0600, never on a command line. As root (containers, CI) the
/// server runs as the `postgres` system user, or `nobody`, since PostgreSQL refuses root.
public struct EmbeddedPostgres: Sendable {
    /// How to reach a started server. Prints without its password.
    public struct Endpoint: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        public let host: String
        public let port: Int
        public let user: String
        public let password: String
        public let database: String

        public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }
        public var debugDescription: String { "Endpoint(\(description), password: <redacted>)" }
        public var customMirror: Mirror { Mirror(self, children: ["url": description, "password": "<redacted>"]) }
    }

    public let dataDirectory: String
    /// fsync off: for throw-away test clusters only.
    public let durable: Bool
    static let user = "treeinstruct"

    public init(dataDirectory: String, durable: Bool = true) {
        self.dataDirectory = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
        self.durable = durable
    }

    var passwordFile: String { dataDirectory + "/treeinstruct.password" }
    var logFile: String { dataDirectory + "/server.log" }
    /// The port of the last start, tried first by the next.
    var portFile: String { dataDirectory + "/treeinstruct.port" }

    /// Starts the server (creating the cluster first if needed), or finds it already running.
    /// It listens on `port` when given, else on the port of its last start if that is free, else on a free one.
    public func start(port requestedPort: Int? = nil) throws -> Endpoint {
        let binaries = try PostgresBinaries.locate()
        let owner = try ServerUser.current()
        if !FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") {
            try initialize(binaries, owner)
        }
        let password = try String(contentsOfFile: passwordFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        if let port = try runningPort(binaries, owner) {
            return Endpoint(host: "127.0.0.1", port: port, user: Self.user, password: password, database: "postgres")
        }
        // The port of the last start when it is still free, so that a restarted server is found
        // where clients (and the lines `postgres start` printed) expect it.
        let port = try requestedPort ?? FreePort.find(preferring: try? Int(String(contentsOfFile: portFile, encoding: .utf8)))
        var options = "-c listen_addresses=127.0.0.1 -p \(port) -k \(dataDirectory) -c max_connections=300"
        if !durable { options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off" }
        try owner.run(
            binaries.pgCtl, ["-D", dataDirectory, "-l", logFile, "-w", "-t", "120", "-o", options, "start"],
            failure: "could not start PostgreSQL (see \(logFile))")
        try? Data(String(port).utf8).write(to: URL(fileURLWithPath: portFile))
        return Endpoint(host: "127.0.0.1", port: port, user: Self.user, password: password, database: "postgres")
    }

    /// How `stop` ends the server.
    public enum StopMode: String, Sendable {
        /// Sessions are ended and data is written out: the normal stop.
        case fast
        /// Every process is killed at once, as in a crash (recovery runs at the next start):
        /// for fault tests.
        case immediate
    }

    /// Stops the server if it runs (default `fast`).
    public func stop(_ mode: StopMode = .fast) throws {
        let binaries = try PostgresBinaries.locate()
        let owner = try ServerUser.current()
        guard try runningPort(binaries, owner) != nil else { return }
        try owner.run(binaries.pgCtl, ["-D", dataDirectory, "-m", mode.rawValue, "-w", "-t", "60", "stop"], failure: "could not stop PostgreSQL")
    }

    private func initialize(_ binaries: PostgresBinaries, _ owner: ServerUser) throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard (try manager.contentsOfDirectory(atPath: dataDirectory)).isEmpty else {
            throw EmbeddedPostgresError("\(dataDirectory) is not empty and holds no PostgreSQL cluster; choose another --data-dir")
        }
        let password = Self.generatePassword()
        let staging = NSTemporaryDirectory() + "treeinstruct-pw-\(UUID().uuidString)"
        guard manager.createFile(atPath: staging, contents: Data(password.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw EmbeddedPostgresError("cannot write a temporary password file in \(NSTemporaryDirectory())")
        }
        defer { try? manager.removeItem(atPath: staging) }
        try owner.own([dataDirectory, staging])
        owner.makeParentsPassable(of: dataDirectory)
        try owner.run(
            binaries.initdb,
            [
                "-D", dataDirectory, "-U", Self.user, "--pwfile=\(staging)", "-A", "scram-sha-256",
                "-E", "UTF8", "--locale=C",
            ], failure: "initdb failed")
        guard manager.createFile(atPath: passwordFile, contents: Data(password.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw EmbeddedPostgresError("cannot write \(passwordFile)")
        }
        try owner.own([passwordFile])
    }

    /// The port of a server already running on this data directory; a stale postmaster.pid
    /// (its process gone) is removed.
    private func runningPort(_ binaries: PostgresBinaries, _ owner: ServerUser) throws -> Int? {
        let pidFile = dataDirectory + "/postmaster.pid"
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let pid = lines.first.flatMap({ Int32($0) }), kill(pid, 0) == 0 || errno == EPERM else {
            try? FileManager.default.removeItem(atPath: pidFile)
            return nil
        }
        return lines.count > 3 ? Int(lines[3]) : nil
    }

    static func generatePassword() -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return String((0..<32).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }
}

public struct EmbeddedPostgresError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension EmbeddedPostgres {
    /// Throws when initdb and pg_ctl cannot be found.
    public static func locateBinaries() throws -> String {
        try PostgresBinaries.locate().pgCtl
    }
}

extension EmbeddedPostgres {
    /// A TCP port on 127.0.0.1 nobody listens on right now (for tests that start servers).
    public static func freePort() throws -> Int { try FreePort.find() }

    /// Whether nobody listens on `port` of 127.0.0.1 right now.
    public static func isFree(_ port: Int) -> Bool { FreePort.isFree(port) }
}

extension EmbeddedPostgres {
    /// `start(port:)` on a thread of its own: `pg_ctl -w` blocks until the server answers
    /// (seconds), which must not hold one of the few threads that run async code.
    public func started(port: Int? = nil) async throws -> Endpoint {
        try await Self.offThePool { try start(port: port) }
    }

    /// `stop(_:)` on a thread of its own, as `started`.
    public func stopped(_ mode: StopMode = .fast) async throws {
        try await Self.offThePool { try stop(mode) }
    }

    static func offThePool<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }
}
