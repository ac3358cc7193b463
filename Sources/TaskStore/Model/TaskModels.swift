import Foundation
import TreeInstructCore

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
}

/// What one LLM call cost and how it went, recorded with the attempt whatever its outcome.
public struct CallReport: Sendable, Hashable {
    public var model: String?
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var latencyMilliseconds: Int?
    public var httpStatus: Int?

    public init(model: String? = nil, promptTokens: Int? = nil, completionTokens: Int? = nil,
                latencyMilliseconds: Int? = nil, httpStatus: Int? = nil) {
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

    /// What comes after `task` under `config`, given the instruction it produced; nil at the end.
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
