import Foundation
import Logging
import Synchronization
import TreeInstructCore

/// Runs the log bootstrap the first time only (swift-log traps on a second one).
enum LogBootstrap {
    private static let done = Mutex(false)

    static func once(format: String, level: String) throws {
        guard let logLevel = Logger.Level(rawValue: level) else {
            throw UsageError(
                "--log-level (or TREEINSTRUCT_LOG_LEVEL) must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), "
                    + "got \"\(PrintableName.shown(level, limit: 40))\"")
        }
        guard format == "text" || format == "json" else {
            throw UsageError("--log-format (or TREEINSTRUCT_LOG_FORMAT) must be text or json, got \"\(PrintableName.shown(format, limit: 40))\"")
        }
        let json = format == "json"
        let first = done.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = logLevel
            return handler
        }
    }
}

/// One JSON object per line on standard error, for log collectors.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [String: String] = [
            "time": ISO8601DateFormatter().string(from: Date()), "level": event.level.rawValue,
            "label": label, "message": "\(event.message)",
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { fields[key] = "\(value)" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(fields) else { return }
        line.append(0x0A)
        FileHandle.standardError.write(line)
    }
}
