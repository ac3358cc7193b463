import Foundation
import TreeInstructCore

/// The one place where a setting is resolved: the flag if given, else the environment
/// variable, else the default. Every variable read is listed in README.md's configuration table.
/// A value out of its range is a `UsageError` naming the flag or the variable it came from.
enum Environment {
    static var values: [String: String] { ProcessInfo.processInfo.environment }

    static func string(_ flag: String?, _ variable: String, default fallback: String? = nil) -> String? {
        if let flag, !flag.isEmpty { return flag }
        if let value = values[variable], !value.isEmpty { return value }
        return fallback
    }

    static func double(
        _ flag: Double?, _ option: String, _ variable: String, default fallback: Double? = nil,
        in range: ClosedRange<Double>
    ) throws -> Double? {
        if let flag { return try Check.range(option, flag, range) }
        guard let text = values[variable], !text.isEmpty else { return fallback }
        guard let value = Double(text) else { throw UsageError("\(variable) must be a number, got \"\(PrintableName.shown(text))\"") }
        return try Check.range(variable, value, range)
    }

    static func int(_ flag: Int?, _ option: String, _ variable: String, default fallback: Int? = nil, in range: ClosedRange<Int>) throws -> Int? {
        if let flag { return try Check.range(option, flag, range) }
        guard let text = values[variable], !text.isEmpty else { return fallback }
        guard let value = Int(text) else { throw UsageError("\(variable) must be a whole number, got \"\(PrintableName.shown(text))\"") }
        return try Check.range(variable, value, range)
    }
}

/// Checks of single options, each failing with one line: the option, the rule, the value.
enum Check {
    /// `value` if it lies in `range` (NaN never does).
    @discardableResult
    static func range<T: Comparable>(_ option: String, _ value: T, _ range: ClosedRange<T>) throws -> T {
        guard range.contains(value) else { throw UsageError("\(option) \(Bounds.outside(range, value))") }
        return value
    }

    static func range<T: Comparable>(_ option: String, _ value: T?, _ range: ClosedRange<T>) throws {
        if let value { try Self.range(option, value, range) }
    }

    /// A run name given by `option` (1 to 128 printable characters).
    static func runName(_ option: String, _ name: String?) throws {
        guard let name, let problem = RunName.problem(name) else { return }
        throw UsageError("\(option) \"\(PrintableName.shown(name, limit: 40))\": a run name \(problem)")
    }
}
