import Foundation
import PostgresNIO
import TreeInstructCore

/// A run as stored.
public struct RunRecord: Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var config: RunConfig
}

/// Refuses to add a corpus to an existing run under a different method: results of one run must
/// be comparable.
public struct RunConfigMismatch: Error, CustomStringConvertible {
    public var run: String
    public var stored: RunConfig
    public var requested: RunConfig
    public var description: String {
        "run \"\(run)\" exists with another configuration (stored \(RunConfigCoding.text(stored)), requested \(RunConfigCoding.text(requested))); use a new run name"
    }
}

enum RunConfigCoding {
    /// A configuration, or a part of one, as JSON with sorted keys.
    static func text(_ config: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(config)) ?? Data(), as: UTF8.self)
    }

    static func decode(_ text: String) throws -> RunConfig {
        try JSONDecoder().decode(RunConfig.self, from: Data(text.utf8))
    }
}

extension RunCatalog {
    /// Creates the run, or returns the existing run of that name when its configuration matches
    /// (the call mode aside: the run keeps its own, which `mode` changes).
    public func createOrFindRun(name: String, config: RunConfig) async throws -> RunRecord {
        let rows = try await client.query(
            """
            INSERT INTO \(unescaped: s).runs (name, config) VALUES (\(name), \(RunConfigCoding.text(config))::jsonb)
            ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
            RETURNING id, config::text
            """, logger: logger)
        for try await (id, stored) in rows.decode((Int64, String).self) {
            let storedConfig = try RunConfigCoding.decode(stored)
            // The call mode is not the method: `mode` may have switched it since (the stored one stays).
            var method = storedConfig
            method.batch = config.batch
            guard method == config else { throw RunConfigMismatch(run: name, stored: storedConfig, requested: config) }
            return RunRecord(id: id, name: name, config: storedConfig)
        }
        throw StoreInvariantViolated(message: "run upsert returned no row")
    }
}

/// A statement returned what the schema makes impossible: a bug, or a schema changed by hand.
public struct StoreInvariantViolated: Error, CustomStringConvertible {
    public var message: String
    public var description: String { "task store invariant violated: \(message)" }
}
