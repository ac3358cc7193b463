import Foundation
import TreeInstructCore

/// Applies an ended batch: every answer of its output and error files goes through the same
/// validation and fenced completion as a live answer, in chunks, and every task it still holds
/// without an answer goes back to pending. Applying again (two workers, or one killed halfway)
/// finds the applied tasks no longer held and skips them: each answer is stored once.
struct BatchApplying: Sendable {
    let work: BatchWork

    /// Completions written per call to the store.
    static let chunk = 500

    /// Reasons a provider gives for not running a request that are no fault of the request.
    static let freeCodes: Set<String> = ["batch_expired", "batch_cancelled"]

    func apply(_ job: BatchJob) async throws {
        var held = Dictionary(uniqueKeysWithValues: try await work.store.heldTasks(job.ticket).map { ($0.id, $0) })
        work.logger.info(
            "applying batch", metadata: ["batch": "\(job.ticket.batchID)", "status": "\(job.providerStatus ?? "")", "held": "\(held.count)"])
        var tally = BatchTally()
        let owner = job.ticket.owner
        // A batch holds one run's tasks: its method is read once, not once per line.
        let config = try await work.configs.config(for: job.runID)
        var notRun: [String: [ClaimedTask]] = [:]
        var completions: [Completion] = []
        for fileID in [job.outputFileID, job.errorFileID].compactMap({ $0 }) {
            try await work.provider.answers(inFile: fileID) { answer in
                guard let id = BatchWork.taskID(answer.customID), let task = held.removeValue(forKey: id) else { return }
                switch answer.outcome {
                case .answered(let completion):
                    let report = CallReport(
                        model: completion.model ?? config.model, promptTokens: completion.promptTokens,
                        completionTokens: completion.completionTokens, latencyMilliseconds: nil, httpStatus: completion.httpStatus)
                    switch TaskProcessor.validate(completion, of: task, config: config) {
                    case .success(let output):
                        completions.append(
                            Completion(
                                task: task, output: output, followUp: FollowUp.after(task, output: output, config: config),
                                difficulty: config.difficulty(afterRound: task.round), report: report))
                        if completions.count == Self.chunk {
                            tally.applied += try await complete(completions, owner: owner, job: job)
                            completions = []
                        }
                    case .failure(let rejection):
                        let failure = AttemptFailure(
                            outcome: "rejected", code: rejection.code.rawValue, detail: rejection.detail, retryable: true,
                            answer: completion.content)
                        if try await work.leases.fail(task, workerID: owner, failure: failure, retryDelay: .zero, report: report) == .recorded {
                            tally.rejected += 1
                        }
                    }
                case .failed(let error):
                    let failure = AttemptFailure(outcome: "error", code: error.code, detail: error.message, retryable: error.isRetryable)
                    if try await work.leases.fail(
                        task, workerID: owner, failure: failure, retryDelay: .zero, report: CallReport(httpStatus: error.httpStatus)) == .recorded
                    {
                        tally.rejected += 1
                    }
                case .notRun(let code, _):
                    notRun[code, default: []].append(task)
                }
            }
        }
        if !completions.isEmpty { tally.applied += try await complete(completions, owner: owner, job: job) }
        for (code, tasks) in notRun {
            // Expired or cancelled before its turn: not the task's doing. Any other reason the
            // provider gives uses an attempt, so a request it always refuses ends.
            let free = Self.freeCodes.contains(code)
            tally.returned += try await work.store.returnTasks(
                tasks, owner: owner, code: code, detail: "the provider did not run it (batch \(job.providerStatus ?? "ended"))",
                usesAttempt: !free, retryAfter: free ? .zero : .seconds(60))
        }
        if !held.isEmpty {
            // No line at all: free when the batch stopped early (expired, cancelled); an attempt
            // when it completed or failed without answering (each such batch brings the task
            // closer to its last attempt, so none comes back for ever).
            let free = ["expired", "cancelled"].contains(job.providerStatus ?? "")
            tally.returned += try await work.store.returnTasks(
                Array(held.values), owner: owner, code: free ? "batch_\(job.providerStatus ?? "ended")" : "batch_no_answer",
                detail: "the batch ended (\(job.providerStatus ?? "ended")) without an answer for it", usesAttempt: !free,
                retryAfter: free ? .zero : .seconds(60))
        }
        guard try await work.store.finish(job.ticket, state: .applied, tally: tally, note: nil) else {
            throw BatchJobLost(batchID: job.ticket.batchID)
        }
        work.logger.info(
            "batch applied",
            metadata: [
                "batch": "\(job.ticket.batchID)", "answers": "\(tally.applied)", "rejected": "\(tally.rejected)", "returned": "\(tally.returned)",
            ])
    }

    /// Stores a chunk of answers and holds the job longer; returns how many were recorded.
    private func complete(_ completions: [Completion], owner: String, job: BatchJob) async throws -> Int {
        let outcomes = try await work.leases.complete(completions, workerID: owner)
        guard try await work.store.renewJob(job.ticket, lease: work.policy.jobLease) else { throw BatchJobLost(batchID: job.ticket.batchID) }
        return outcomes.values.filter { $0 == .recorded }.count
    }
}

/// Another worker took over a batch's job (this one was too slow and taken for dead); what was
/// applied stays applied, and the other applies the rest.
struct BatchJobLost: Error, CustomStringConvertible {
    let batchID: Int64
    var description: String { "lost the job on batch \(batchID) to another worker" }
}
