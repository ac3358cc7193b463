import EmbeddedPostgres
import Foundation
import Logging
import PostgresNIO
import PostgresTestSupport
import TaskStore
import Testing

/// sslmode against a real server that serves TLS with a self-signed certificate for
/// "localhost": what libpq users expect each mode to do.
@Suite(
    "TLS and sslmode",
    .enabled(
        if: TestPostgres.canStart && OpenSSLTool.path != nil,
        "needs PostgreSQL and the openssl tool (apt-get install openssl)"))
struct TLSTests {
    @Test func eachSSLModeDoesWhatLibpqDoes() async throws {
        let directory = NSTemporaryDirectory() + "treeinstruct-tls-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try await OpenSSLTool.selfSigned(name: "localhost", in: directory + "/server")
        let stranger = try await OpenSSLTool.selfSigned(name: "localhost", in: directory + "/stranger")

        let postgres = EmbeddedPostgres(dataDirectory: directory + "/data", durable: false)
        _ = try postgres.start()
        try postgres.serveTLS(certificatePEM: server.certificatePEM, keyPEM: server.keyPEM)
        try postgres.stop()
        let endpoint = try postgres.start()
        defer { try? postgres.stop() }

        func encrypted(_ mode: DatabaseSettings.SSLMode, host: String = "127.0.0.1", root: String? = nil) async throws -> Bool {
            let settings = DatabaseSettings(
                host: host, port: endpoint.port, user: endpoint.user, password: endpoint.password,
                database: endpoint.database, sslMode: mode, sslRootCert: root, connectTimeout: .seconds(10))
            let database = try Database(settings: settings, maxConnections: 1, logger: Logger(label: "tls-test"))
            return try await database.withRunning { database in
                let rows = try await database.client.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                for try await ssl in rows.decode(Bool.self) { return ssl }
                return false
            }
        }

        #expect(try await encrypted(.disable) == false)
        #expect(try await encrypted(.prefer) == true)
        #expect(try await encrypted(.require) == true, "require encrypts without checking the chain when no root is given")
        #expect(try await encrypted(.verifyCA, root: server.certificateFile) == true, "verify-ca does not check the host name")
        #expect(try await encrypted(.verifyFull, host: "localhost", root: server.certificateFile) == true)

        await #expect("verify-full checks the host name against the certificate") {
            try await encrypted(.verifyFull, host: "127.0.0.1", root: server.certificateFile)
        } throws: { Self.isOneClearLine($0) }
        await #expect("a certificate not signed by the given root is refused") {
            try await encrypted(.verifyCA, root: stranger.certificateFile)
        } throws: { Self.isOneClearLine($0) }
        await #expect("require with a root checks the chain, as libpq does") {
            try await encrypted(.require, root: stranger.certificateFile)
        } throws: { Self.isOneClearLine($0) }
    }

    static func isOneClearLine(_ error: any Error) -> Bool {
        let text = "\(error)"
        return text.hasPrefix("cannot connect to postgres://treeinstruct@") && !text.contains("\n")
    }
}

/// The openssl command-line tool, to make throw-away certificates.
enum OpenSSLTool {
    static let path: String? = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) }

    struct Certificate {
        let certificateFile: String
        let certificatePEM: String
        let keyPEM: String
    }

    /// A self-signed certificate for `name` (as its common name and only DNS name), valid two days.
    static func selfSigned(name: String, in prefix: String) async throws -> Certificate {
        let status = try await ChildProcess.finished(
            [
                path!, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=\(name)",
                "-addext", "subjectAltName=DNS:\(name)", "-keyout", prefix + ".key", "-out", prefix + ".crt",
            ],
            outputPath: prefix + ".log")
        guard status == 0 else { throw OpenSSLFailed(status: status) }
        return Certificate(
            certificateFile: prefix + ".crt", certificatePEM: try String(contentsOfFile: prefix + ".crt", encoding: .utf8),
            keyPEM: try String(contentsOfFile: prefix + ".key", encoding: .utf8))
    }
}

struct OpenSSLFailed: Error { let status: Int32 }
