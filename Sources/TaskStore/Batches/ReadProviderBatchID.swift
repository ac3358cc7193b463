import PostgresNIO

extension BatchRecords {
    /// The provider batch recorded for a batch now, if any.
    public func providerBatchID(batchID: Int64) async throws -> String? {
        let rows = try await client.query(
            "SELECT provider_batch_id FROM \(unescaped: s).batches WHERE id = \(batchID)", logger: logger)
        for try await id in rows.decode(String?.self) { return id }
        return nil
    }
}
