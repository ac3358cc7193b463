import NIOSSL

/// Where to connect and how, decided once from the settings for both of postgres-nio's
/// configurations (the pool's and the single check connection's).
enum ConnectionTarget {
    case socket(String)
    /// `tls` is nil when sslmode is disable.
    case tcp(host: String, port: Int, tls: (use: TLSUse, configuration: TLSConfiguration)?)

    enum TLSUse { case prefer, require }

    init(_ settings: DatabaseSettings) {
        if let socket = settings.unixSocketPath {
            self = .socket(socket)
        } else {
            self = .tcp(host: settings.host, port: settings.port, tls: Self.tls(for: settings))
        }
    }

    /// libpq's sslmode as a TLS use and verification: nil for disable; allow is treated as prefer.
    static func tls(for settings: DatabaseSettings) -> (use: TLSUse, configuration: TLSConfiguration)? {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let root = settings.sslRootCert { tls.trustRoots = .file(root) }
        switch settings.sslMode {
        case .disable:
            return nil
        case .allow, .prefer:
            tls.certificateVerification = .none
            return (.prefer, tls)
        case .require:
            // libpq: require verifies the chain only when a root certificate is given.
            tls.certificateVerification = settings.sslRootCert == nil ? .none : .noHostnameVerification
            return (.require, tls)
        case .verifyCA:
            tls.certificateVerification = .noHostnameVerification
            return (.require, tls)
        case .verifyFull:
            tls.certificateVerification = .fullVerification
            return (.require, tls)
        }
    }
}
