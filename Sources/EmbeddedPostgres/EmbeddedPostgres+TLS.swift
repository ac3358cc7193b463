import Foundation

extension EmbeddedPostgres {
    /// Serves TLS with this certificate and key (PEM) from the next start, so clients' sslmode
    /// handling can be checked against a real server. Call after the cluster exists (a first
    /// `start`), then restart it.
    public func serveTLS(certificatePEM: String, keyPEM: String) throws {
        let owner = try ServerUser.current()
        let files = [(dataDirectory + "/server.crt", certificatePEM), (dataDirectory + "/server.key", keyPEM)]
        for (path, text) in files {
            guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw EmbeddedPostgresError("cannot write \(path)")
            }
        }
        try owner.own(files.map(\.0))
        let settings = dataDirectory + "/postgresql.conf"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: settings))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n".utf8))
    }
}
