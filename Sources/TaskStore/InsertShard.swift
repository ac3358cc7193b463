import PostgresNIO
import TreeInstructCore

extension TaskQueue {
    /// Stores `records` as one new shard of `run`, in one transaction: the shard row and its
    /// first-round tasks appear together or not at all. Returns how many tasks were new; when
    /// none were (every record a duplicate), the shard is rolled back rather than left empty.
    public func insertShard(_ records: [InstructionRecord], sourceFile: String, run: RunRecord,
                            batchSize: Int = 5000) async throws -> Int {
        guard let first = records.first, let last = records.last else { return 0 }
        var attemptsLeft = 5
        while true {
            do {
                return try await client.withTransaction(logger: logger) { connection in
                    let shardID = try await createShard(runID: run.id, sourceFile: sourceFile, firstLine: first.line,
                                                        lastLine: last.line, on: connection)
                    var inserted = 0
                    for start in stride(from: 0, to: records.count, by: batchSize) {
                        let batch = Array(records[start..<min(start + batchSize, records.count)])
                        inserted += try await insertTasks(batch, runID: run.id, shardID: shardID, config: run.config, on: connection)
                    }
                    if inserted == 0 { throw NothingNew() }
                    return inserted
                }
            } catch let error as PostgresTransactionError where error.closureError is NothingNew {
                return 0
            } catch let error as PostgresTransactionError
                where ["23505", "40P01"].contains((error.closureError as? PSQLError)?.serverInfo?[.sqlState]) && attemptsLeft > 1 {
                // A concurrent insert took the same shard ordinal (23505: take the next one), or two
                // shards holding each other's duplicates waited on each other (40P01: the database
                // rolled this one back whole). Either way nothing of this shard was stored: again.
                attemptsLeft -= 1
            }
        }
    }

    private struct NothingNew: Error {}
}
