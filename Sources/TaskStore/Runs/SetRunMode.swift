import PostgresNIO
import TreeInstructCore

extension RunCatalog {
    /// Switches how a run's remaining tasks are called: `batch` (the provider's Batch API, with
    /// `settings`) or live (nil). Batches already at the provider are still followed and applied;
    /// only what is pending changes hands: live claims and batch packing both read the mode from
    /// the run's row at each claim. Returns whether the run exists.
    @discardableResult
    public func setMode(runID: Int64, batch settings: BatchSettings?) async throws -> Bool {
        let batch = settings.map { RunConfigCoding.text($0) }
        let rows = try await client.query(
            """
            UPDATE \(unescaped: s).runs
            SET config = CASE WHEN \(batch)::jsonb IS NULL THEN config - 'batch'
                              ELSE jsonb_set(config, '{batch}', \(batch)::jsonb) END
            WHERE id = \(runID)
            RETURNING id
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }
}
