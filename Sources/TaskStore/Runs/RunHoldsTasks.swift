import PostgresNIO

extension RunCatalog {
    /// Whether the run has any task yet: a submit into a run without any may insert the records
    /// it has not seen before without checking them against the run.
    public func holdsTasks(runID: Int64) async throws -> Bool {
        let rows = try await client.query(
            "SELECT EXISTS (SELECT 1 FROM \(unescaped: s).tasks WHERE run_id = \(runID))", logger: logger)
        for try await holds in rows.decode(Bool.self) { return holds }
        return true
    }
}
