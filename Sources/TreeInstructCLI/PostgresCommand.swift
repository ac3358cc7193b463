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
        static let configuration = CommandConfiguration(abstract: "Start it (creating it first) and print where it listens.")
        @Option(name: .long, help: "Data directory.") var dataDir: String = ".treeinstruct/pgdata"
        @Flag(help: "Print a postgres:// URL with the password (for `export DATABASE_URL=...` in scripts) instead of the PG* variables without it.")
        var printURL = false
        @Option(help: "Port to listen on (default: a free one).") var port: Int?

        func run() throws {
            let server = EmbeddedPostgres(dataDirectory: dataDir)
            let endpoint = try server.start(port: port)
            if printURL {
                print("postgres://\(endpoint.user):\(endpoint.password)@\(endpoint.host):\(endpoint.port)/\(endpoint.database)?sslmode=disable")
            } else {
                print("PGHOST=\(endpoint.host) PGPORT=\(endpoint.port) PGUSER=\(endpoint.user) PGDATABASE=\(endpoint.database) PGSSLMODE=disable")
                print("password: \(server.dataDirectory)/treeinstruct.password")
            }
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop it.")
        @Option(name: .long, help: "Data directory.") var dataDir: String = ".treeinstruct/pgdata"

        func run() throws {
            try EmbeddedPostgres(dataDirectory: dataDir).stop()
        }
    }
}
