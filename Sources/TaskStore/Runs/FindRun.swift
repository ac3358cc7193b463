import PostgresNIO
import TreeInstructCore

extension RunCatalog {
    /// The run named `name`, or nil.
    public func findRun(named name: String) async throws -> RunRecord? {
        let rows = try await client.query(
            """
            SELECT id, config::text FROM \(unescaped: s).runs WHERE name = \(name)
            """, logger: logger)
        for try await (id, config) in rows.decode((Int64, String).self) {
            return RunRecord(id: id, name: name, config: try RunConfigCoding.decode(config))
        }
        return nil
    }
}
