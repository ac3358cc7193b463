import PostgresNIO

extension EndpointHealthRecords {
    /// Records that `endpoint` accepts `dialect` for `model`; the latest finding wins.
    public func rememberDialect(_ dialect: String, endpoint: String, model: String, refused: String?) async throws {
        _ = try await client.collect(
            """
            INSERT INTO \(unescaped: s).endpoint_dialects (endpoint, model, dialect, refused)
            VALUES (\(endpoint), \(model), \(dialect), \(refused))
            ON CONFLICT (endpoint, model) DO UPDATE SET dialect = EXCLUDED.dialect, refused = EXCLUDED.refused, chosen_at = now()
            """, logger: logger)
    }
}
