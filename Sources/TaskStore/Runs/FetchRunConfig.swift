import PostgresNIO
import TreeInstructCore

extension RunCatalog {
    /// The configuration of run `id`; workers cache it per run.
    public func runConfig(id: Int64) async throws -> RunConfig {
        let rows = try await client.query(
            """
            SELECT config::text FROM \(unescaped: s).runs WHERE id = \(id)
            """, logger: logger)
        for try await config in rows.decode(String.self) {
            return try RunConfigCoding.decode(config)
        }
        throw StoreInvariantViolated(message: "run \(id) does not exist")
    }
}
