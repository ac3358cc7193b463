import PostgresNIO
import TreeInstructCore

extension RunCatalog {
    /// Names of the newest runs, newest first: for "no run named X" errors that say what exists.
    public func runNames(limit: Int = 10) async throws -> [String] {
        let rows = try await client.query("SELECT name FROM \(unescaped: s).runs ORDER BY id DESC LIMIT \(limit)", logger: logger)
        var names: [String] = []
        for try await name in rows.decode(String.self) { names.append(name) }
        return names
    }
}
