import PostgresNIO
import TreeInstructCore

extension RunCatalog {
    /// Stores `records` as one new shard of `run`, in one transaction: the shard row and its
    /// first-round tasks appear together or not at all. Returns how many tasks were new; when
    /// none were (every record a duplicate), the shard is rolled back rather than left empty.
    ///
    /// `ordinal` is a number from `takeShardNumber` (a caller inserting shards side by side takes
    /// them in file order); without one, one is taken here. A rolled-back shard leaves it unused.
    public func insertShard(
        _ records: [InstructionRecord], sourceFile: String, run: RunRecord, ordinal: Int? = nil,
        batchSize: Int = 5000
    ) async throws -> Int {
        guard let first = records.first, let last = records.last else { return 0 }
        var number: Int
        if let ordinal { number = ordinal } else { number = try await takeShardNumber(runID: run.id) }
        var attemptsLeft = 5
        let (runID, config) = (run.id, run.config)
        while true {
            let numbered = number
            do {
                return try await client.withTransaction(logger: logger) { connection in
                    let shardID = try await createShard(
                        runID: runID, ordinal: numbered, sourceFile: sourceFile, firstLine: first.line,
                        lastLine: last.line, on: connection)
                    var inserted = 0
                    for start in stride(from: 0, to: records.count, by: batchSize) {
                        let batch = Array(records[start..<min(start + batchSize, records.count)])
                        inserted += try await insertTasks(batch, runID: runID, shardID: shardID, config: config, on: connection)
                    }
                    if inserted == 0 { throw NothingNew() }
                    return inserted
                }
            } catch let error as PostgresTransactionError where error.closureError is NothingNew {
                return 0
            } catch let error as PostgresTransactionError where attemptsLeft > 1 {
                // Nothing of this shard was stored; again, when the database says why:
                switch (error.closureError as? PSQLError)?.serverInfo?[.sqlState].map(PostgresError.Code.init(raw:)) {
                case .uniqueViolation?: number = try await takeShardNumber(runID: run.id)  // the number was used otherwise: another
                case .deadlockDetected?: break  // two shards holding each other's duplicates; this one was rolled back
                default: throw error
                }
                attemptsLeft -= 1
            }
        }
    }

    private struct NothingNew: Error {}
}
