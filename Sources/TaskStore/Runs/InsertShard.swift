import PostgresNIO
import TreeInstructCore

/// One shard's records, split by what the submitter knows of them: `unchecked` are surely not
/// in the run yet (each with its content hash) and go in without a conflict check; every other
/// record may repeat a stored one and goes through the conflict-checked insert.
public struct ShardRows: Sendable {
    public var unchecked: [(record: InstructionRecord, hash: ContentHash)]
    public var checked: [InstructionRecord]

    public init(unchecked: [(record: InstructionRecord, hash: ContentHash)] = [], checked: [InstructionRecord] = []) {
        self.unchecked = unchecked
        self.checked = checked
    }

    /// The same records, every one conflict-checked.
    var allChecked: ShardRows { ShardRows(checked: unchecked.map(\.record) + checked) }

    public var count: Int { unchecked.count + checked.count }

    var lines: ClosedRange<Int>? {
        let lines = unchecked.map(\.record.line) + checked.map(\.line)
        guard let first = lines.min(), let last = lines.max() else { return nil }
        return first...last
    }
}

extension RunCatalog {
    /// Stores `records` as one new shard of `run`, every record conflict-checked; see below.
    public func insertShard(
        _ records: [InstructionRecord], sourceFile: String, run: RunRecord, ordinal: Int? = nil,
        batchSize: Int = 5000
    ) async throws -> Int {
        try await insertShard(ShardRows(checked: records), sourceFile: sourceFile, run: run, ordinal: ordinal, batchSize: batchSize)
    }

    /// Stores `rows` as one new shard of `run`, in one transaction: the shard row and its
    /// first-round tasks appear together or not at all. Returns how many tasks were new; when
    /// none were (every record a duplicate), the shard is rolled back rather than left empty.
    ///
    /// `ordinal` is a number from `takeShardNumber` (a caller inserting shards side by side takes
    /// them in file order); without one, one is taken here. A rolled-back shard leaves it unused.
    public func insertShard(
        _ rows: ShardRows, sourceFile: String, run: RunRecord, ordinal: Int? = nil, batchSize: Int = 5000
    ) async throws -> Int {
        guard let lines = rows.lines else { return 0 }
        var rows = rows
        var number: Int
        if let ordinal { number = ordinal } else { number = try await takeShardNumber(runID: run.id) }
        var attemptsLeft = 5
        let (runID, config) = (run.id, run.config)
        while true {
            let (numbered, attempt) = (number, rows)
            do {
                return try await client.withTransaction(logger: logger) { connection in
                    let shardID = try await createShard(
                        runID: runID, ordinal: numbered, sourceFile: sourceFile, firstLine: lines.lowerBound,
                        lastLine: lines.upperBound, on: connection)
                    var inserted = 0
                    // In the order of the unique key: each insert lands next to the one before it
                    // in that index, whose pages are then still at hand.
                    let unchecked = attempt.unchecked.sorted { $0.hash.bytes.lexicographicallyPrecedes($1.hash.bytes) }
                    let checked = attempt.checked.map { (record: $0, hash: $0.contentHash) }
                    for (records, isChecked) in [(unchecked, false), (checked, true)] {
                        for start in stride(from: 0, to: records.count, by: batchSize) {
                            inserted += try await insertTasks(
                                Array(records[start..<min(start + batchSize, records.count)]), checked: isChecked,
                                runID: runID, shardID: shardID, config: config, on: connection)
                        }
                    }
                    if inserted == 0 { throw NothingNew() }
                    return inserted
                }
            } catch is NothingNew {
                return 0
            } catch let error as PSQLError where attemptsLeft > 1 {
                // Nothing of this shard was stored; again, when the database says why:
                let serverInfo = error.serverInfo
                switch (serverInfo?[.sqlState].map(PostgresError.Code.init(raw:)), serverInfo?[.constraintName]) {
                case (.uniqueViolation?, Self.taskContentKey?):
                    rows = rows.allChecked  // an unchecked record was stored meanwhile (another submit): check them all
                case (.uniqueViolation?, _):
                    number = try await takeShardNumber(runID: run.id)  // the number was used otherwise: another
                case (.deadlockDetected?, _):
                    break  // two shards holding each other's duplicates; this one was rolled back
                default: throw error
                }
                attemptsLeft -= 1
            }
        }
    }

    /// The tasks' unique key on (run_id, content_hash, stage, round), as 0001 named it.
    static let taskContentKey = "tasks_run_id_content_hash_stage_round_key"

    private struct NothingNew: Error {}
}
