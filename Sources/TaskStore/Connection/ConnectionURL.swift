import Foundation

/// The parts of a `postgres://` or `postgresql://` URI, percent-decoded, with libpq's query
/// parameters (host, port, user, password, dbname, sslmode, sslrootcert, application_name,
/// connect_timeout). A host may be a percent-encoded socket directory.
struct ConnectionURL {
    var host: String?
    var port: String?
    var user: String?
    var password: String?
    var database: String?
    var sslMode: String?
    var sslRootCert: String?
    var applicationName: String?
    var connectTimeout: String?

    static func parse(_ text: String) throws -> ConnectionURL {
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") else {
            throw DatabaseSettingsError("DATABASE_URL must start with postgres:// or postgresql://")
        }
        // Swap the scheme for one URLComponents parses generically; keep the rest as given.
        let rest = text.drop { $0 != ":" }
        guard let components = URLComponents(string: "pgsql" + rest) else {
            throw DatabaseSettingsError("DATABASE_URL is not a valid URL (check that special characters in the password are percent-encoded)")
        }
        var url = ConnectionURL()
        url.host = components.percentEncodedHost.flatMap { $0.removingPercentEncoding }.flatMap { $0.isEmpty ? nil : $0 }
        url.port = components.port.map(String.init)
        url.user = components.percentEncodedUser?.removingPercentEncoding
        url.password = components.percentEncodedPassword?.removingPercentEncoding
        let path = components.percentEncodedPath.removingPercentEncoding ?? ""
        url.database = path.hasPrefix("/") && path.count > 1 ? String(path.dropFirst()) : nil
        for item in components.queryItems ?? [] {
            let value = item.value
            switch item.name {
            case "host": url.host = value
            case "port": url.port = value
            case "user": url.user = value
            case "password": url.password = value
            case "dbname": url.database = value
            case "sslmode": url.sslMode = value
            case "sslrootcert": url.sslRootCert = value
            case "application_name": url.applicationName = value
            case "connect_timeout": url.connectTimeout = value
            default: throw DatabaseSettingsError("DATABASE_URL has an unsupported parameter \"\(item.name)\"")
            }
        }
        return url
    }
}
