import CorpusIngest
import Foundation
import TaskStore
import TreeInstructCore

/// What one submit did, printed for the user and returned to scripts as JSON.
public struct SubmissionSummary: Sendable, Hashable, Codable {
    public var run: String
    public var runID: Int64
    /// Usable records read (those that cannot grow under the word cap included, and counted in badRecords too).
    public var recordsRead = 0
    public var tasksCreated = 0
    /// Records whose (instruction, input) the run already had, from this file or an earlier submit.
    public var duplicates = 0
    public var badRecords = 0
    public var shardsCreated = 0
    public var seconds = 0.0
}

/// Streams a corpus into a run: shards of `shardSize` records, each inserted in its own
/// transaction (so workers start on the first shard while later ones are still read),
/// de-duplicated by content hash, with every bad record stored in ingest_errors. Up to
/// `parallelShards` shards are inserted at once, each on its own connection under a shard number
/// taken beforehand (so they do not queue for the next one), while the next is read: the
/// database's index and key checks, not parsing, bound the speed.
///
/// Into a run that held no task when the submit began, a record whose content hash nothing
/// read before it shared goes in unchecked (the first 8 bytes of every hash read are kept to
/// tell, 16 MB per million records, up to `trackingLimit` records; after that every record is
/// checked). Every other record goes through the insert that checks the run for it.
///
/// Re-submitting the same corpus changes nothing: every row is a duplicate, and a shard that
/// would hold no new task is rolled back rather than left empty.
public struct Submission: Sendable {
    public var queue: QueueSchema
    public var shardSize: Int
    public var parallelShards: Int
    /// Records tracked for unchecked inserts (default 2,000,000, about 32 MB).
    public var trackingLimit: Int

    public init(queue: QueueSchema, shardSize: Int = 1000, parallelShards: Int = 2, trackingLimit: Int = 2_000_000) {
        self.queue = queue
        self.shardSize = max(1, shardSize)
        self.parallelShards = max(1, parallelShards)
        self.trackingLimit = trackingLimit
    }

    public func submit(_ file: CorpusFile, runName: String, config: RunConfig) async throws -> SubmissionSummary {
        let started = ContinuousClock.now
        let run = try await queue.runs.createOrFindRun(name: runName, config: config)
        var summary = SubmissionSummary(run: runName, runID: run.id)
        // The hash prefixes read so far, when the run held no task before this submit: a record
        // whose prefix they lack goes in unchecked. nil (the run had tasks): every record is checked.
        var firstSightings = try await queue.runs.holdsTasks(runID: run.id) ? nil : HashPrefixSet(limit: trackingLimit)
        var errors: [CorpusError] = []
        // Shard inserts are child tasks: if reading or one insert fails, the others end (and
        // roll back) before the error is reported, so none lands after it.
        try await withThrowingTaskGroup(of: InsertedShard.self) { inserts in
            var inFlight = 0
            func insert(_ shard: ShardRows) async throws {
                if inFlight == parallelShards, let done = try await inserts.next() {
                    count(done, into: &summary)
                    inFlight -= 1
                }
                // Numbered before the insert starts, so numbers follow the file.
                let (queue, path) = (queue, file.path)
                let ordinal = try await queue.runs.takeShardNumber(runID: run.id)
                inserts.addTask {
                    InsertedShard(
                        records: shard.count,
                        inserted: try await queue.runs.insertShard(shard, sourceFile: path, run: run, ordinal: ordinal))
                }
                inFlight += 1
            }
            var shard = ShardRows()
            for item in file {
                switch item {
                case .record(let record):
                    summary.recordsRead += 1
                    if let tooLong = config.cannotGrow(record, file: file.path) {
                        summary.badRecords += 1
                        try await keep(tooLong, in: &errors, runID: run.id)
                        continue
                    }
                    let hash = firstSightings == nil ? nil : record.contentHash
                    if let hash, firstSightings?.insert(hash.prefix) == true {
                        shard.unchecked.append((record, hash))
                    } else {
                        shard.checked.append(record)
                    }
                    if shard.count == shardSize {
                        try await insert(shard)
                        shard = ShardRows()
                    }
                case .error(let error):
                    summary.badRecords += 1
                    try await keep(error, in: &errors, runID: run.id)
                }
            }
            if shard.count > 0 { try await insert(shard) }
            for try await done in inserts { count(done, into: &summary) }
        }
        try await queue.runs.recordIngestErrors(errors, runID: run.id)
        summary.seconds = (ContinuousClock.now - started).inSeconds
        return summary
    }

    /// Buffers an ingest error, storing the buffer every 1000.
    private func keep(_ error: CorpusError, in errors: inout [CorpusError], runID: Int64) async throws {
        errors.append(error)
        if errors.count == 1000 {
            try await queue.runs.recordIngestErrors(errors, runID: runID)
            errors.removeAll(keepingCapacity: true)
        }
    }

    /// A shard's insert, done: how many records it held and how many were new.
    private struct InsertedShard: Sendable {
        let records: Int
        let inserted: Int
    }

    private func count(_ shard: InsertedShard, into summary: inout SubmissionSummary) {
        summary.tasksCreated += shard.inserted
        summary.duplicates += shard.records - shard.inserted
        if shard.inserted > 0 { summary.shardsCreated += 1 }
    }
}
