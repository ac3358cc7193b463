import TaskStore
import TreeInstructCore

/// A run whose rows stop where a test says, worked through the queue's own claim, complete,
/// fail and release (no endpoint, no worker process): rows that finish, rows whose chain ends at
/// a rejected task, rows still in progress.
enum StoppedRun {
    /// What happens to one task.
    enum Step {
        case accept
        /// Rejected for good (not retryable): the row's chain ends here.
        case reject
        /// Handed back unfinished: the row stays in progress.
        case leave
    }

    /// Submits `rows` records ("Describe item N.", input "input N") as run `name`, then works
    /// every task as `step(sourceLine, stage, round)` says. An accepted rewrite appends
    /// " Harder in round R." to its instruction; an accepted answer is "Answer to line N.".
    @discardableResult
    static func seed(
        _ database: Database, name: String, rows: Int, config: RunConfig, step: (Int, TaskStage, Int) -> Step
    ) async throws -> RunRecord {
        let queue = database.queue
        let run = try await queue.runs.createOrFindRun(name: name, config: config)
        let records = (1...rows).map { InstructionRecord(instruction: "Describe item \($0).", input: "input \($0)", line: $0) }
        _ = try await queue.runs.insertShard(records, sourceFile: "stopped.jsonl", run: run)
        // One pass per stage: each pass claims the stage that the last one created.
        for _ in 0..<config.stagesPerRow {
            let tasks = try await queue.leases.claimTasks(workerID: "fixture", limit: 10_000, lease: .seconds(600), runIDs: [run.id])
            var left: [ClaimedTask] = []
            for task in tasks {
                switch step(task.sourceLine, task.stage, task.round) {
                case .accept:
                    let output = task.stage == .respond ? TaskOutput.response("Answer to line \(task.sourceLine).") : rewrite(of: task)
                    _ = try await queue.leases.complete(
                        task, workerID: "fixture", output: output, followUp: FollowUp.after(task, output: output, config: config),
                        difficulty: config.difficulty(afterRound: task.round), report: CallReport())
                case .reject:
                    let failure = AttemptFailure(outcome: "rejected", code: "too_short", detail: "short", retryable: false)
                    _ = try await queue.leases.fail(task, workerID: "fixture", failure: failure, retryDelay: .seconds(0), report: CallReport())
                case .leave:
                    left.append(task)
                }
            }
            _ = try await queue.leases.release(left, workerID: "fixture")
        }
        return run
    }

    static func rewrite(of task: ClaimedTask) -> TaskOutput {
        .rewrite(AcceptedRewrite(newInstruction: task.instruction + " Harder in round \(task.round).", addedNodes: ["a", "b", "c"], wordCount: 8))
    }
}
