import PostgresNIO
import TreeInstructCore

extension ResultRows {
    /// The difficulty levels among the rows an export of a run writes (`export_rows`, chosen by
    /// `selection`), lowest first: an export in difficulty order reads one level at a time, each
    /// in source order.
    public func exportDifficulties(runID: Int64, selection: ExportSelection = .everyEndedRow) async throws -> [Int] {
        let rows = try await client.collect(
            """
            SELECT DISTINCT x.difficulty
            FROM \(unescaped: s).export_rows x
            WHERE x.run_id = \(runID)
              AND (NOT \(selection.completeOnly) OR x.complete)
              AND x.difficulty >= \(selection.minDifficulty)::int4
            ORDER BY x.difficulty
            """, logger: logger)
        return try rows.map { try $0.decode(Int.self) }
    }
}
