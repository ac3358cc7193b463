import Foundation

// The records the worker core and the task store exchange: what a worker holds, what it
// reports, and what comes next. Plain values with no I/O, so both sides (and tests) share them.

/// The two kinds of LLM call a source row needs.
public enum TaskStage: String, Sendable, Hashable, Codable {
    case rewrite, respond
}

/// A task a worker holds a lease on. `leaseToken` fences it: only the holder of this token can
/// complete or fail the task, so a worker whose lease expired cannot write over a newer one.
public struct ClaimedTask: Sendable, Hashable {
    public var id: Int64
    public var runID: Int64
    public var shardID: Int64
    public var stage: TaskStage
    public var round: Int
    public var stagesLeft: Int
    public var instruction: String
    public var input: String
    public var sourceLine: Int
    /// This try's number, 1-based.
    public var attempt: Int
    public var maxAttempts: Int
    public var leaseToken: Int64
    public var claimedAt: Date

    public init(
        id: Int64, runID: Int64, shardID: Int64, stage: TaskStage, round: Int, stagesLeft: Int, instruction: String,
        input: String, sourceLine: Int, attempt: Int, maxAttempts: Int, leaseToken: Int64, claimedAt: Date
    ) {
        (self.id, self.runID, self.shardID, self.stage, self.round, self.stagesLeft) = (id, runID, shardID, stage, round, stagesLeft)
        (self.instruction, self.input, self.sourceLine) = (instruction, input, sourceLine)
        (self.attempt, self.maxAttempts, self.leaseToken, self.claimedAt) = (attempt, maxAttempts, leaseToken, claimedAt)
    }
}

/// What one LLM call cost and how it went, recorded with the attempt whatever its outcome.
public struct CallReport: Sendable, Hashable {
    public var model: String?
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var latencyMilliseconds: Int?
    public var httpStatus: Int?

    public init(
        model: String? = nil, promptTokens: Int? = nil, completionTokens: Int? = nil,
        latencyMilliseconds: Int? = nil, httpStatus: Int? = nil
    ) {
        self.model = model
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.latencyMilliseconds = latencyMilliseconds
        self.httpStatus = httpStatus
    }
}

/// The accepted output of a task.
public enum TaskOutput: Sendable, Hashable {
    case rewrite(AcceptedRewrite)
    case response(String)
}

/// The task the store creates when one finishes, in the same transaction.
public struct FollowUp: Sendable, Hashable {
    public var stage: TaskStage
    public var round: Int
    public var instruction: String

    public init(stage: TaskStage, round: Int, instruction: String) {
        self.stage = stage
        self.round = round
        self.instruction = instruction
    }

    /// What comes after `task` under `config`, given the instruction it produced; nil at the end:
    /// round r+1 rewrites round r's instruction, and the respond stage answers the last one.
    public static func after(_ task: ClaimedTask, output: TaskOutput, config: RunConfig) -> FollowUp? {
        guard task.stage == .rewrite, case .rewrite(let rewrite) = output else { return nil }
        if task.round < config.rounds {
            return FollowUp(stage: .rewrite, round: task.round + 1, instruction: rewrite.newInstruction)
        }
        return config.respond ? FollowUp(stage: .respond, round: task.round, instruction: rewrite.newInstruction) : nil
    }
}

/// Whether the store took a completion or failure.
public enum LeaseOutcome: Sendable, Hashable {
    case recorded
    /// The caller no longer held the lease (it expired and was reaped or re-claimed): nothing
    /// was written but the attempt's history.
    case stale
}

/// One task's accepted output, ready to be stored.
public struct Completion: Sendable, Hashable {
    public var task: ClaimedTask
    public var output: TaskOutput
    public var followUp: FollowUp?
    public var difficulty: Int
    public var report: CallReport

    public init(task: ClaimedTask, output: TaskOutput, followUp: FollowUp?, difficulty: Int, report: CallReport) {
        self.task = task
        self.output = output
        self.followUp = followUp
        self.difficulty = difficulty
        self.report = report
    }
}

/// Why an attempt did not succeed, as stored in attempts and grouped in failure_reasons.
public struct AttemptFailure: Sendable, Hashable {
    /// `rejected` for a validation rejection, `error` for an endpoint or network error.
    public var outcome: String
    /// A rejection code or an error class (`http_429`, `timeout`, ...).
    public var code: String
    public var detail: String
    /// Whether another try may succeed (a 401 will not; a 503 or a bad sample may).
    public var retryable: Bool
    /// Whether the try uses up one of the task's attempts. A 429 does not: being throttled says
    /// nothing about the task, and counting it would fail tasks during a provider's bad minute.
    public var countsAsAttempt: Bool
    /// The answer a rejection refused (stored with the attempt, at most 8,000 characters); nil
    /// for an error, which has no answer.
    public var answer: String?

    public init(outcome: String, code: String, detail: String, retryable: Bool, countsAsAttempt: Bool = true, answer: String? = nil) {
        self.outcome = outcome
        self.code = code
        self.detail = detail
        self.retryable = retryable
        self.countsAsAttempt = countsAsAttempt
        self.answer = answer.map { String($0.prefix(8_000)) }
    }
}

/// Who a worker is, as shown in active_workers.
public struct WorkerIdentity: Sendable, Hashable {
    public var id: String
    public var host: String
    public var pid: Int
    public var version: String
    public var concurrency: Int

    public init(id: String, host: String, pid: Int, version: String, concurrency: Int) {
        self.id = id
        self.host = host
        self.pid = pid
        self.version = version
        self.concurrency = concurrency
    }
}
