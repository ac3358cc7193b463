import Foundation

/// initdb and pg_ctl, from PATH or the newest /usr/lib/postgresql/*/bin.
struct PostgresBinaries {
    let initdb: String
    let pgCtl: String

    static func locate() throws -> PostgresBinaries {
        let manager = FileManager.default
        var directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        let versions = ((try? manager.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap(Int.init).sorted(by: >)
        directories += versions.map { "/usr/lib/postgresql/\($0)/bin" }
        for directory in directories
        where manager.isExecutableFile(atPath: directory + "/initdb") && manager.isExecutableFile(atPath: directory + "/pg_ctl") {
            return PostgresBinaries(initdb: directory + "/initdb", pgCtl: directory + "/pg_ctl")
        }
        throw EmbeddedPostgresError(
            "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin; install them: apt-get install postgresql")
    }
}

/// Which account runs the server: ourselves, or, when we are root, an unprivileged user.
struct ServerUser {
    /// Nil when we are not root and run the server as ourselves.
    let name: String?
    let uid: uid_t
    let gid: gid_t

    static func current() throws -> ServerUser {
        guard geteuid() == 0 else { return ServerUser(name: nil, uid: geteuid(), gid: getegid()) }
        for name in ["postgres", "nobody"] {
            if let entry = getpwnam(name) {
                return ServerUser(name: name, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
            }
        }
        throw EmbeddedPostgresError("running as root, and neither a 'postgres' nor a 'nobody' user exists to run PostgreSQL as")
    }

    /// Hands files to the server's user.
    func own(_ paths: [String]) throws {
        guard name != nil else { return }
        for path in paths where chown(path, uid, gid) != 0 {
            throw EmbeddedPostgresError("cannot give \(path) to the server's user: \(String(cString: strerror(errno)))")
        }
    }

    /// Lets the server's user pass through the directories above `path` (not list them).
    func makeParentsPassable(of path: String) {
        guard name != nil else { return }
        do {
            var parent = (path as NSString).deletingLastPathComponent
            while parent != "/" && !parent.isEmpty {
                var info = stat()
                if stat(parent, &info) == 0, info.st_mode & 0o001 == 0 { chmod(parent, info.st_mode | 0o711) }
                parent = (parent as NSString).deletingLastPathComponent
            }
        }
    }

    /// Runs a PostgreSQL tool as this user and waits for it; its output goes into the error on
    /// failure.
    func run(_ executable: String, _ arguments: [String], failure: String) throws {
        let command = name.map { ["/usr/sbin/runuser", "-u", $0, "--", executable] } ?? [executable]
        let outputPath = NSTemporaryDirectory() + "treeinstruct-pgctl-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let status: Int32
        do {
            status = try ChildProcess.run(command + arguments, outputPath: outputPath)
        } catch {
            throw EmbeddedPostgresError("\(failure): \(error)")
        }
        guard status == 0 else {
            let text = ((try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            throw EmbeddedPostgresError("\(failure): \(text.suffix(600))")
        }
    }
}

/// A TCP port on 127.0.0.1 that nobody listens on right now.
enum FreePort {
    /// A free port on 127.0.0.1: `preferred` when nobody listens there, else any.
    static func find(preferring preferred: Int?) throws -> Int {
        if let preferred, isFree(preferred) { return preferred }
        return try find()
    }

    static func isFree(_ port: Int) -> Bool {
        guard (1...65535).contains(port) else { return false }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        // As PostgreSQL binds: connections of a server just stopped may linger in TIME_WAIT.
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    static func find() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw EmbeddedPostgresError("cannot open a socket to find a free port") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else { throw EmbeddedPostgresError("cannot find a free port on 127.0.0.1") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
