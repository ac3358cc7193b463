import TreeInstructCore

/// One source row as the viewer's list shows it: its first instruction and how far its chain
/// of tasks (rewrite rounds, then the response) has come.
public struct RowSummary: Sendable, Hashable {
    /// The line of the corpus the row came from.
    public var line: Int
    /// The task the list reached this row by (its first task, or in a failure listing the
    /// failed task): with `line`, the keyset position.
    public var cursorTaskID: Int64
    public var shardID: Int64
    public var instruction: String
    /// The last accepted rewrite, and the nodes added up to it.
    public var newInstruction: String?
    public var difficulty: Int?
    /// The state, stage and round of the chain's last task, and its failure code if any.
    public var state: String
    public var stage: String
    public var round: Int
    public var errorCode: String?
    /// In a failure listing: the failed task's last attempt, "code: detail", and the answer it
    /// rejected (the first 600 characters).
    public var problem: String?
    public var rejectedAnswer: String?
}

/// Which rows a list shows. Every filter is optional; `lines` is a shard's range.
public struct RowFilter: Sendable, Hashable {
    public var difficulty: Int?
    /// Only rows with a task that failed with this code (a rejection or an endpoint error).
    public var failureCode: String?
    public var lines: ClosedRange<Int>?
    /// Text to find in the original or the last new instruction, case aside (PostgreSQL's `lower`).
    public var search: String?

    public init(difficulty: Int? = nil, failureCode: String? = nil, lines: ClosedRange<Int>? = nil, search: String? = nil) {
        self.difficulty = difficulty
        self.failureCode = failureCode
        self.lines = lines
        self.search = search
    }

    /// Whether the rows shown are fewer than those read (a text or difficulty filter).
    var thins: Bool { difficulty != nil || search != nil }
}

/// A position in a list: after this line and task.
public struct RowCursor: Sendable, Hashable {
    public var line: Int
    public var taskID: Int64

    public init(line: Int, taskID: Int64) {
        self.line = line
        self.taskID = taskID
    }

    public static let start = RowCursor(line: 0, taskID: 0)
}

/// One page of a list: its rows, where the next page starts (nil at the end), and how many
/// rows were read to find them.
public struct RowListing: Sendable {
    public var rows: [RowSummary]
    public var next: RowCursor?
    public var read: Int
}

/// One task of a row's chain, with its accepted output and its attempts.
public struct ChainTask: Sendable {
    public var id: Int64
    public var stage: String
    public var round: Int
    public var state: String
    public var attempts: Int
    public var errorCode: String?
    public var instruction: String
    public var input: String
    public var shardID: Int64
    public var newInstruction: String?
    public var response: String?
    public var originalTree: SemanticNode?
    public var expandedTree: SemanticNode?
    public var addedNodes: [String]
    public var difficulty: Int?
    public var wordCount: Int?
    public var model: String?
    /// The latest attempts (at most `RowBrowser.attemptsShown`), oldest first, and how many there are.
    public var history: [AttemptRecord]
    public var attemptRows: Int
}

/// One try of a task, as attempts records it.
public struct AttemptRecord: Sendable, Hashable {
    public var outcome: String
    public var code: String?
    public var detail: String?
    /// The answer a rejection refused (none for errors, or before Migrations/0016).
    public var answer: String?
    public var finishedAt: String
}
