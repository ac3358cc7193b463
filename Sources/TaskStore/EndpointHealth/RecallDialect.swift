import PostgresNIO

extension EndpointHealthRecords {
    /// The structured-output dialect a worker found `endpoint` to accept for `model`
    /// (json_schema, json_object or prompt), if one did.
    public func recallDialect(endpoint: String, model: String) async throws -> String? {
        let rows = try await client.query(
            "SELECT dialect FROM \(unescaped: s).endpoint_dialects WHERE endpoint = \(endpoint) AND model = \(model)",
            logger: logger)
        for try await dialect in rows.decode(String.self) { return dialect }
        return nil
    }
}
