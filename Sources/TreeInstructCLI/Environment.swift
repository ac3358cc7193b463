import Foundation

/// The one place where a setting is resolved: the flag if given, else the environment
/// variable, else the default. Every variable read is listed in README.md's configuration table.
enum Environment {
    static var values: [String: String] { ProcessInfo.processInfo.environment }

    static func string(_ flag: String?, _ variable: String, default fallback: String? = nil) -> String? {
        if let flag, !flag.isEmpty { return flag }
        if let value = values[variable], !value.isEmpty { return value }
        return fallback
    }

    static func double(_ flag: Double?, _ variable: String, default fallback: Double? = nil) throws -> Double? {
        if let flag { return flag }
        guard let text = values[variable], !text.isEmpty else { return fallback }
        guard let value = Double(text) else { throw ConfigurationError("\(variable) must be a number, got \"\(text)\"") }
        return value
    }

    static func int(_ flag: Int?, _ variable: String, default fallback: Int? = nil) throws -> Int? {
        if let flag { return flag }
        guard let text = values[variable], !text.isEmpty else { return fallback }
        guard let value = Int(text) else { throw ConfigurationError("\(variable) must be a whole number, got \"\(text)\"") }
        return value
    }
}

/// A setting that cannot be used, named so the user can fix it.
struct ConfigurationError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
