import PostgresNIO
import TreeInstructCore

extension ResultRows {
    /// The difficulty levels among a run's finished rows, lowest first: an export in difficulty
    /// order reads one level at a time, each in source order.
    public func exportDifficulties(runID: Int64) async throws -> [Int] {
        let rows = try await client.collect(
            """
            SELECT DISTINCT r.difficulty
            FROM \(unescaped: s).tasks t
            JOIN \(unescaped: s).results r ON r.task_id = t.id
            WHERE t.run_id = \(runID) AND t.state = 'succeeded' AND t.stages_left = 1
            ORDER BY r.difficulty
            """, logger: logger)
        return try rows.map { try $0.decode(Int.self) }
    }
}
