import PostgresNIO
import TreeInstructCore

extension RunCatalog {
    /// Stores bad corpus records of a run; the same file and line is stored once however often
    /// the corpus is submitted.
    public func recordIngestErrors(_ errors: [CorpusError], runID: Int64) async throws {
        guard !errors.isEmpty else { return }
        try await client.query(
            """
            INSERT INTO \(unescaped: s).ingest_errors (run_id, source_file, line, code, reason)
            SELECT \(runID), u.file, u.line, u.code, u.reason
            FROM unnest(\(errors.map(\.file))::text[], \(errors.map(\.line))::int8[],
                        \(errors.map(\.reason.code))::text[], \(errors.map(\.reason.description))::text[])
                 AS u(file, line, code, reason)
            ON CONFLICT (run_id, source_file, line) DO UPDATE SET code = EXCLUDED.code, reason = EXCLUDED.reason
            """, logger: logger)
    }
}
