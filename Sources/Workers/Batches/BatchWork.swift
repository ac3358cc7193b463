import Foundation
import Logging
import TreeInstructCore

/// A worker's batch-mode loop: takes due jobs on batches (a dead packer's batch to find, an open
/// batch to poll, an ended one to apply), and packs a new batch when the endpoint has room for
/// one. Any number of workers run it side by side: every job is leased in the store, and every
/// answer is applied fenced by its task's lease, so nothing is sent twice knowingly or applied
/// twice at all.
struct BatchWork: Sendable {
    let policy: BatchPolicy
    let store: any BatchStore
    let leases: any LeaseStore
    let provider: any BatchProviding
    let configs: RunConfigCache
    let workerID: String
    let runIDs: [Int64]?
    let logger: Logger

    /// Runs until cancelled.
    func run() async {
        while !Task.isCancelled {
            var pause = policy.idle
            do {
                if try await step() { continue }
            } catch let error as LLMError where [.notFound, .unauthorized].contains(error.kind) {
                // Sending a batch was refused: no Batch API there, or not for this key. Batch runs
                // wait; live work goes on.
                logger.error("the endpoint refuses the Batch API; batch-mode runs wait (trying again in 5 minutes)", metadata: ["error": "\(error)"])
                pause = max(pause, .seconds(300))
            } catch {
                if Task.isCancelled { return }
                logger.error("batch job failed; trying again later", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: pause)
        }
    }

    /// One job, or one new batch; false when there was nothing to do.
    func step() async throws -> Bool {
        if let job = try await store.takeJob(workerID: workerID, endpoint: policy.endpoint, lease: policy.jobLease) {
            do {
                switch job.stage {
                case .packing: try await recover(job)
                case .open: try await poll(job)
                case .ended: try await BatchApplying(work: self).apply(job)
                }
            } catch {
                try await giveUpIfPastDeadline(job, error: error)
                logger.error(
                    "batch job failed; another worker may take it when its lease ends",
                    metadata: ["batch": "\(job.ticket.batchID)", "error": "\(error)"])
            }
            return true
        }
        guard try await store.unfinishedBatchCount(endpoint: policy.endpoint, runIDs: nil) < policy.maxOpenBatches else { return false }
        return try await pack()
    }

    /// A batch whose job still fails after the provider's deadline (a day after it was made,
    /// when none is known: a dead packer's batch that cannot be looked up) and the margin can no
    /// longer be applied (its files gone, its id unknown to this key, ...): abandoned, so it
    /// stops counting as open and its tasks, reaped, are sent again.
    private func giveUpIfPastDeadline(_ job: BatchJob, error: any Error) async throws {
        let deadline = job.expiresAt ?? job.createdAt.addingTimeInterval(24 * 3600)
        guard deadline.addingTimeInterval(policy.margin.inSeconds) < Date() else { return }
        _ = try await store.finish(job.ticket, state: .abandoned, tally: BatchTally(), note: "could not be followed or applied: \(error)")
        logger.warning("batch abandoned past its deadline", metadata: ["batch": "\(job.ticket.batchID)", "error": "\(error)"])
    }

    // MARK: Packing

    /// Claims due tasks of a batch run, sends those of one model as one batch (a provider takes
    /// one model per file) and records it.
    func pack() async throws -> Bool {
        guard
            let opened = try await store.openBatch(
                workerID: workerID, endpoint: policy.endpoint, limit: policy.requestsPerBatch, lease: policy.jobLease, runIDs: runIDs)
        else { return false }
        let config = try await configs.config(for: opened.runID)
        let prompts = opened.tasks.map { TaskProcessor.prompt(for: $0, config: config) }
        let model = prompts.first?.1 ?? config.model
        var requests: [BatchRequest] = []
        var otherModel: [ClaimedTask] = []
        for (task, (prompt, taskModel)) in zip(opened.tasks, prompts) {
            guard taskModel == model else {
                otherModel.append(task)
                continue
            }
            requests.append(
                BatchRequest(
                    customID: Self.customID(task.id), prompt: prompt, model: model, temperature: config.temperature,
                    maxTokens: config.completionTokenLimit(for: task.stage)))
        }
        let owner = opened.ticket.owner
        let otherIDs = Set(otherModel.map(\.id))
        if !otherModel.isEmpty {
            _ = try await store.returnTasks(
                otherModel, owner: owner, code: "batch_other_model", detail: "left for a batch of its own model (one model per batch)",
                usesAttempt: false, retryAfter: .zero)
        }
        let submitted: SubmittedBatch
        do {
            submitted = try await provider.submit(
                requests, completionWindow: config.batch?.completionWindow ?? BatchSettings().completionWindow,
                metadata: Self.metadata(reference: opened.reference, batchID: opened.ticket.batchID), maxFileBytes: policy.maxFileBytes)
        } catch let error as LLMError where error.httpStatus.map({ (400..<500).contains($0) }) == true {
            // Refused in so many words: no batch was made. Back after a minute, no attempt used.
            let sent = opened.tasks.filter { !otherIDs.contains($0.id) }
            _ = try await store.returnTasks(
                sent, owner: owner, code: "batch_not_sent", detail: "\(error)", usesAttempt: false, retryAfter: .seconds(60))
            _ = try await store.finish(opened.ticket, state: .abandoned, tally: BatchTally(returned: sent.count), note: "\(error)")
            throw error
        }
        // Any other failure (a timeout, a lost connection, a 5xx) may have made the batch all
        // the same: the row stays packing, and when its job runs out `recover` finds the batch
        // by its reference, or returns the tasks.
        let leftOut = Set(submitted.leftOut)
        let sent = opened.tasks.filter { !leftOut.contains(Self.customID($0.id)) && !otherIDs.contains($0.id) }
        if !leftOut.isEmpty {
            _ = try await store.returnTasks(
                opened.tasks.filter { leftOut.contains(Self.customID($0.id)) }, owner: owner, code: "batch_file_full",
                detail: "left for a later batch: the request file reached \(policy.maxFileBytes) bytes", usesAttempt: false, retryAfter: .zero)
        }
        try await record(submitted.batch, ticket: opened.ticket, tasks: sent)
        logger.info(
            "batch sent",
            metadata: ["batch": "\(opened.ticket.batchID)", "provider_batch": "\(submitted.batch.id)", "requests": "\(sent.count)"])
        return true
    }

    /// Records the provider's batch and holds its tasks to its deadline. A job lost meanwhile
    /// (this worker was taken for dead) means another worker either adopted this very batch
    /// (nothing to do) or returned the tasks: then the batch is cancelled at the provider
    /// rather than paid for twice.
    private func record(_ batch: ProviderBatch, ticket: BatchTicket, tasks: [ClaimedTask]) async throws {
        try await store.holdTasks(tasks, owner: ticket.owner, for: holdTime(batch))
        guard try await store.recordProvider(ticket, batch: batch, nextPoll: policy.pollEvery) else {
            if try await store.providerBatchID(batchID: ticket.batchID) == batch.id { return }
            logger.warning("batch job lost while sending; cancelling it at the provider", metadata: ["provider_batch": "\(batch.id)"])
            _ = try? await provider.cancel(batch.id)
            return
        }
    }

    private func holdTime(_ batch: ProviderBatch) -> Duration {
        let deadline = batch.expiresAt.map { max(0, $0.timeIntervalSinceNow) } ?? 24 * 3600
        return .seconds(deadline) + policy.margin
    }

    /// A batch whose packer died before recording it: found at the provider by its reference
    /// (adopted, not sent again; cancelled there if its tasks are gone), or its tasks go back.
    func recover(_ job: BatchJob) async throws {
        let held = try await store.heldTasks(job.ticket)
        if let found = try await findAtProvider(job) {
            guard !held.isEmpty else {
                _ = try? await provider.cancel(found.id)
                _ = try await store.finish(job.ticket, state: .abandoned, tally: BatchTally(), note: "its tasks were no longer held")
                return
            }
            try await record(found, ticket: job.ticket, tasks: held)
            logger.info("batch of a stopped worker found at the provider", metadata: ["provider_batch": "\(found.id)"])
            return
        }
        let returned = try await store.returnTasks(
            held, owner: job.ticket.owner, code: "batch_not_sent", detail: "its worker stopped before the batch reached the provider",
            usesAttempt: false, retryAfter: .zero)
        _ = try await store.finish(job.ticket, state: .abandoned, tally: BatchTally(returned: returned), note: "never reached the provider")
    }

    /// The provider's batch tagged with this batch's reference, among those made since it was.
    private func findAtProvider(_ job: BatchJob) async throws -> ProviderBatch? {
        var after: String? = nil
        for _ in 0..<50 {
            let page = try await provider.list(after: after, limit: 100)
            if let found = page.batches.first(where: { $0.metadata[Self.referenceKey] == job.reference }) { return found }
            let older = page.batches.last.flatMap(\.createdAt).map { $0 < job.createdAt.addingTimeInterval(-3600) } ?? true
            if !page.hasMore || older { return nil }
            after = page.batches.last?.id
        }
        return nil
    }

    // MARK: Polling

    /// Reads the batch's state at the provider (cancelling it first when asked).
    func poll(_ job: BatchJob) async throws {
        guard let id = job.providerBatchID else { return }
        var batch = try await provider.retrieve(id)
        if job.cancelRequested, !batch.hasEnded, batch.status != "cancelling" {
            batch = try await provider.cancel(id)
            logger.info("batch cancelled at the provider", metadata: ["provider_batch": "\(id)"])
        }
        _ = try await store.recordProvider(job.ticket, batch: batch, nextPoll: policy.pollEvery)
    }

    // MARK: Names

    static let referenceKey = "treeinstruct_batch"

    static func metadata(reference: String, batchID: Int64) -> [String: String] {
        [referenceKey: reference, "treeinstruct_batch_id": "\(batchID)"]
    }

    /// A task's custom_id: its id, nothing that proves a lease.
    static func customID(_ taskID: Int64) -> String { "task-\(taskID)" }

    static func taskID(_ customID: String) -> Int64? {
        customID.hasPrefix("task-") ? Int64(customID.dropFirst(5)) : nil
    }
}
