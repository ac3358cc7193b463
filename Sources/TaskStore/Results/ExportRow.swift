import PostgresNIO
import TreeInstructCore

/// One source row whose chain of tasks ended, ready to write out: its furthest accepted
/// instruction, its input, the answer if the respond stage succeeded, and, when asked for, how
/// it got there.
public struct ExportRow: Sendable, Hashable {
    /// The row's furthest task (the last stage that succeeded, or the task that failed or was
    /// cancelled): with the source line, the key export pages are read by.
    public var lastTaskID: Int64
    public var sourceLine: Int
    public var sourceID: String?
    public var instruction: String
    public var input: String
    /// The respond stage's answer; nil when the run has no respond stage or the row's chain
    /// stopped before its answer was accepted.
    public var output: String?
    /// Nodes added to the source instruction by the exported instruction's rounds (K per round).
    public var difficulty: Int
    /// JSON array of the row's rewrite rounds (instruction before and after, trees, added
    /// nodes, model, tokens), when lineage was asked for.
    public var lineageJSON: String?
}

/// Where the last page of an export ended: rows are read in (source line, task id) order, so
/// the next page starts after this key, whatever finished meanwhile.
public struct ExportPosition: Sendable, Hashable {
    public var sourceLine: Int
    public var taskID: Int64

    /// Before the first row.
    public static let start = ExportPosition(sourceLine: -1, taskID: 0)

    public init(sourceLine: Int, taskID: Int64) {
        self.sourceLine = sourceLine
        self.taskID = taskID
    }

    public init(after row: ExportRow) { self.init(sourceLine: row.sourceLine, taskID: row.lastTaskID) }
}

/// Which ended rows an export writes.
public struct ExportSelection: Sendable, Hashable {
    /// Only rows whose every stage succeeded; otherwise rows whose chain stopped early too, at
    /// their last accepted round.
    public var completeOnly: Bool
    /// Only rows whose exported difficulty is at least this (0: every row).
    public var minDifficulty: Int

    /// Every ended row with something accepted: the default.
    public static let everyEndedRow = ExportSelection()

    public init(completeOnly: Bool = false, minDifficulty: Int = 0) {
        self.completeOnly = completeOnly
        self.minDifficulty = minDifficulty
    }
}

/// Order of exported rows.
public enum ExportOrder: String, Sendable, CaseIterable {
    /// As in the source corpus.
    case source
    /// Easiest first, for curriculum experiments.
    case difficulty
}
