/// Settings print without their password, however they are printed: interpolated, dumped, or
/// reflected as a field of a struct that holds them (swift-service-lifecycle logs the services
/// it runs that way at debug level).
extension DatabaseSettings: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { redacted }
    public var debugDescription: String {
        "DatabaseSettings(\(redacted), password: \(password == nil ? "none" : "<redacted>"), sslmode: \(sslMode.rawValue))"
    }
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "host": host, "port": port, "user": user, "password": password == nil ? "none" : "<redacted>",
                "database": database, "sslMode": sslMode.rawValue, "applicationName": applicationName,
            ])
    }
}

extension ConnectionURL: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    var description: String { "ConnectionURL(host: \(host ?? "-"), user: \(user ?? "-"), password: \(password == nil ? "none" : "<redacted>"))" }
    var debugDescription: String { description }
    var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}
