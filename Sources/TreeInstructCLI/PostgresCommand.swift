import ArgumentParser
import EmbeddedPostgres
import Foundation

/// Starts or stops the private PostgreSQL that `local` uses, for scripts and benchmarks that
/// want the same database without the rest of the job.
struct PostgresCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postgres",
        abstract: "Start or stop the private PostgreSQL under a data directory (as `local` does).",
        subcommands: [Start.self, Stop.self]
    )

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start it (creating it first) and print shell lines that point other commands at it.",
            discussion: """
                Standard output is meant for eval: eval "$(treeinstruct postgres start)" exports PGHOST, PGPORT, \
                PGUSER, PGDATABASE, PGSSLMODE and PGPASSFILE (a password file, mode 0600, in the data directory; \
                no password in the environment) and unsets DATABASE_URL, which would otherwise win. With \
                --print-url it exports DATABASE_URL instead, password included.
                """)
        @Option(name: .long, help: "Data directory (default .treeinstruct/pgdata).") var dataDir: String = ".treeinstruct/pgdata"
        @Flag(help: "Export DATABASE_URL (with the password) instead of the PG* variables and a password file.")
        var printURL = false
        @Option(parsing: .unconditional, help: "Port to listen on (default: a free one).") var port: Int?

        func run() throws {
            try Check.range("--port", port, WorkCommand.portRange)
            let server = EmbeddedPostgres(dataDirectory: dataDir)
            let endpoint = try server.start(port: port)
            FileHandle.standardError.write(Data("PostgreSQL running in \(server.dataDirectory) on \(endpoint.host):\(endpoint.port)\n".utf8))
            if printURL {
                let url = "postgres://\(endpoint.user):\(endpoint.password)@\(endpoint.host):\(endpoint.port)/\(endpoint.database)?sslmode=disable"
                print("unset DATABASE_URL_FILE PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD PGPASSFILE PGSSLMODE")
                print("export DATABASE_URL=\(Self.quoted(url))")
            } else {
                let passwordFile = try Self.writePasswordFile(for: endpoint, in: server.dataDirectory)
                print("unset DATABASE_URL DATABASE_URL_FILE PGPASSWORD")
                print(
                    "export PGHOST=\(endpoint.host) PGPORT=\(endpoint.port) PGUSER=\(Self.quoted(endpoint.user)) "
                        + "PGDATABASE=\(Self.quoted(endpoint.database)) PGSSLMODE=disable PGPASSFILE=\(Self.quoted(passwordFile))")
            }
        }

        /// A libpq password file (host:port:database:user:password) for this server, mode 0600.
        static func writePasswordFile(for endpoint: EmbeddedPostgres.Endpoint, in directory: String) throws -> String {
            let path = directory + "/pgpass"
            let line = "\(endpoint.host):\(endpoint.port):*:\(endpoint.user):\(endpoint.password)\n"
            let temporary = path + ".tmp"
            guard FileManager.default.createFile(atPath: temporary, contents: Data(line.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw UsageError("cannot write \(temporary)")
            }
            guard rename(temporary, path) == 0 else { throw UsageError("cannot write \(path): \(String(cString: strerror(errno)))") }
            return path
        }

        /// Single-quoted for a POSIX shell.
        static func quoted(_ text: String) -> String {
            "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop it.")
        @Option(name: .long, help: "Data directory (default .treeinstruct/pgdata).") var dataDir: String = ".treeinstruct/pgdata"

        func run() throws {
            try EmbeddedPostgres(dataDirectory: dataDir).stop()
        }
    }
}
