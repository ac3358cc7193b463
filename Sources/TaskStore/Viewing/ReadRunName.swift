import PostgresNIO
import TreeInstructCore

extension RowBrowser {
    /// Run `runID`'s name, or nil: one primary-key read, for pages that must stay fast on any
    /// run (the progress view counts a run's tasks).
    public func runName(runID: Int64) async throws -> String? {
        let result = try await client.collect(
            "SELECT name FROM \(unescaped: s).runs WHERE id = \(runID)", logger: logger)
        return try result.first?.decode(String.self)
    }
}
