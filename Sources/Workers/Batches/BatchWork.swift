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
                // No Batch API there, or not for this key: batch runs wait; live work goes on.
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
            switch job.stage {
            case .packing: try await recover(job)
            case .open: try await poll(job)
            case .ended: try await BatchApplying(work: self).apply(job)
            }
            return true
        }
        guard try await store.unfinishedBatchCount(endpoint: policy.endpoint) < policy.maxOpenBatches else { return false }
        return try await pack()
    }

    // MARK: Packing

    /// Claims due tasks of a batch run, sends them as one batch and records it.
    func pack() async throws -> Bool {
        guard
            let opened = try await store.openBatch(
                workerID: workerID, endpoint: policy.endpoint, limit: policy.requestsPerBatch, lease: policy.jobLease, runIDs: runIDs)
        else { return false }
        let config = try await configs.config(for: opened.runID)
        let requests = opened.tasks.map { task in
            let (prompt, model) = TaskProcessor.prompt(for: task, config: config)
            return BatchRequest(
                customID: Self.customID(task.id), prompt: prompt, model: model, temperature: config.temperature,
                maxTokens: config.completionTokenLimit(for: task.stage))
        }
        let submitted: SubmittedBatch
        do {
            submitted = try await provider.submit(
                requests, completionWindow: config.batch?.completionWindow ?? BatchSettings().completionWindow,
                metadata: Self.metadata(reference: opened.reference, batchID: opened.ticket.batchID), maxFileBytes: policy.maxFileBytes)
        } catch {
            // Nothing reached the provider as a batch (an uploaded file alone costs nothing).
            _ = try await store.returnTasks(opened.tasks, owner: opened.ticket.owner, code: "batch_not_sent", detail: "\(error)")
            _ = try await store.finish(opened.ticket, state: .abandoned, tally: BatchTally(returned: opened.tasks.count), note: "\(error)")
            throw error
        }
        let leftOut = Set(submitted.leftOut)
        let sent = opened.tasks.filter { !leftOut.contains(Self.customID($0.id)) }
        if !leftOut.isEmpty {
            _ = try await store.returnTasks(
                opened.tasks.filter { leftOut.contains(Self.customID($0.id)) }, owner: opened.ticket.owner, code: "batch_file_full",
                detail: "left for a later batch: the request file reached \(policy.maxFileBytes) bytes")
        }
        try await record(submitted.batch, ticket: opened.ticket, tasks: sent)
        logger.info(
            "batch sent",
            metadata: ["batch": "\(opened.ticket.batchID)", "provider_batch": "\(submitted.batch.id)", "requests": "\(sent.count)"])
        return true
    }

    /// Records the provider's batch and holds its tasks to its deadline; a job lost meanwhile
    /// (this worker was taken for dead) means another worker returned or adopted the tasks: the
    /// batch is cancelled at the provider rather than paid for twice.
    private func record(_ batch: ProviderBatch, ticket: BatchTicket, tasks: [ClaimedTask]) async throws {
        try await store.holdTasks(tasks, owner: ticket.owner, for: holdTime(batch))
        guard try await store.recordProvider(ticket, batch: batch, nextPoll: policy.pollEvery) else {
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
    /// (adopted, not sent again), or its tasks go back to pending.
    func recover(_ job: BatchJob) async throws {
        if let found = try await findAtProvider(job) {
            let held = try await store.heldTasks(batchID: job.ticket.batchID)
            try await record(found, ticket: job.ticket, tasks: held)
            logger.info("batch of a stopped worker found at the provider", metadata: ["provider_batch": "\(found.id)"])
            return
        }
        let held = try await store.heldTasks(batchID: job.ticket.batchID)
        let returned = try await store.returnTasks(
            held, owner: job.ticket.owner, code: "batch_not_sent", detail: "its worker stopped before the batch reached the provider")
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
