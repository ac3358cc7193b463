import PostgresNIO
import TreeInstructCore

/// One finished source row, ready to write out: the final instruction, its input, the answer,
/// and, when asked for, how it got there.
public struct ExportRow: Sendable, Hashable {
    public var taskID: Int64
    public var sourceLine: Int
    public var sourceID: String?
    public var instruction: String
    public var input: String
    /// The respond stage's answer; nil when the run has no respond stage.
    public var output: String?
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

    public init(after row: ExportRow) { self.init(sourceLine: row.sourceLine, taskID: row.taskID) }
}

/// Order of exported rows.
public enum ExportOrder: String, Sendable, CaseIterable {
    /// As in the source corpus.
    case source
    /// Easiest first, for curriculum experiments.
    case difficulty
}
