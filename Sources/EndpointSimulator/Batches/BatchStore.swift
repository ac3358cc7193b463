import Foundation

/// The Files and Batches APIs' memory: uploaded and written files, batches, and their
/// counters. One actor, so a batch's files are written exactly once, by whichever read first
/// finds it finished (no background task: status is worked out when asked). Writing a large
/// batch's answers happens inside that read and holds up other batch calls meanwhile, never
/// chat completions.
actor BatchStore {
    private let profile: BatchProfile
    private let model: String
    private let forms: ServerLimits.Forms
    /// The simulator's seed: batch answers are the live endpoint's answers.
    private let answerSeed: UInt64
    private var random: SeededRandom
    private let origin = ContinuousClock.now
    private let unixOrigin = Date().timeIntervalSince1970
    private var files: [String: StoredFile] = [:]
    private var batches: [String: Batch] = [:]
    /// Batch ids, oldest first.
    private var creationOrder: [String] = []
    private var tally = BatchTally()

    init(configuration: SimulatorConfiguration, seed: UInt64) {
        profile = configuration.batch
        model = configuration.model
        forms = configuration.server.forms
        answerSeed = seed
        random = SeededRandom(seed: seed ^ 0xBA7C_4000_0000_0001)
    }

    private var now: Double { (ContinuousClock.now - origin).seconds }
    private var unixNow: Int { Int(unixOrigin + now) }

    // MARK: Files

    /// Keeps an uploaded input file whose requests were already read; its file object.
    func addUpload(filename: String, bytes: [UInt8], requests: [BatchRequestLine]) -> String {
        let file = StoredFile(
            id: newID(prefix: "file-", taken: files.keys), filename: filename, purpose: "batch", createdAt: unixNow, bytes: bytes,
            requests: requests)
        files[file.id] = file
        tally.filesUploaded += 1
        return file.json
    }

    func file(_ id: String) -> StoredFile? { files[id] }

    func deleteFile(_ id: String) -> Bool { files.removeValue(forKey: id) != nil }

    // MARK: Batches

    func create(_ request: BatchCreateRequest) -> Result<String, OpenAIError> {
        guard let file = files[request.inputFileID] else {
            return .failure(
                .invalidRequest("Invalid input_file_id: no file \(request.inputFileID) exists.", param: "input_file_id", code: "invalid_value"))
        }
        guard file.purpose == "batch" else {
            return .failure(.invalidRequest("The input file must have purpose \"batch\".", param: "input_file_id", code: "invalid_value"))
        }
        let now = self.now
        if let limit = profile.maxOpenBatches, batches.values.count(where: { !$0.timeline.status(at: now).isFinished }) >= limit {
            return .failure(.openBatchLimit(limit))
        }
        tally.batchesCreated += 1
        let validationError = Batch.modelMismatch(in: file.requests)
        let chosenToExpire = profile.expireEvery.map { tally.batchesCreated % $0 == 0 } ?? false
        let batch = Batch(
            id: newID(prefix: "batch_", taken: batches.keys), inputFileID: file.id,
            completionWindow: request.completionWindow, metadata: request.metadata,
            plan: BatchPlan(requests: file.requests, profile: profile, forms: forms, seed: random.next()),
            timeline: BatchTimeline(
                created: now, profile: profile, chosenToExpire: chosenToExpire, failsValidation: validationError != nil),
            validationErrors: validationError.map { [$0] } ?? [], unixOrigin: unixOrigin)
        batches[batch.id] = batch
        creationOrder.append(batch.id)
        return .success(batch.json(at: now))
    }

    /// The batch object now, its files written if it just finished; nil for an unknown id.
    func batch(_ id: String) -> String? {
        guard batches[id] != nil else { return nil }
        return refreshed(id).json(at: now)
    }

    func cancel(_ id: String) -> Result<String, OpenAIError> {
        guard var batch = batches[id] else { return .failure(.notFound("Batch", id: id)) }
        let now = self.now
        guard batch.timeline.cancel(at: now) else {
            let status = batch.timeline.status(at: now).rawValue
            return .failure(.invalidRequest("Cannot cancel a batch with status \(JSONText.quoted(status)).", code: "invalid_state"))
        }
        batches[id] = batch
        return .success(refreshed(id).json(at: now))
    }

    /// A page of batches, newest first, starting after the batch `after`.
    func list(limit: Int, after: String?) -> Result<String, OpenAIError> {
        var newestFirst = creationOrder.reversed()[...]
        if let after {
            guard let index = newestFirst.firstIndex(of: after) else { return .failure(.notFound("Batch", id: after)) }
            newestFirst = newestFirst[newestFirst.index(after: index)...]
        }
        let page = Array(newestFirst.prefix(limit))
        let now = self.now
        var json = JSONText(capacity: 1024 * max(page.count, 1))
        json.raw("{\"object\":\"list\",\"data\":[")
        json.raw(page.map { refreshed($0).json(at: now) }.joined(separator: ","))
        json.raw("],\"first_id\":\(page.first.map(JSONText.quoted) ?? "null"),\"last_id\":\(page.last.map(JSONText.quoted) ?? "null")")
        json.raw(",\"has_more\":\(newestFirst.count > page.count)}")
        return .success(json.text)
    }

    func statsJSON() -> String { tally.json }

    /// The batch, with its output and error files written once it has stopped running.
    private func refreshed(_ id: String) -> Batch {
        guard var batch = batches[id], !batch.isWritten else { return batches[id]! }
        let now = self.now
        let status = batch.timeline.status(at: now)
        let stop: BatchResults.Stop
        switch status {
        case .completed: stop = .finished
        case .expired: stop = .expired
        case .cancelled: stop = .cancelled
        case .failed:
            batch.isWritten = true
            tally.batchesFailed += 1
            batches[id] = batch
            return batch
        case .validating, .inProgress, .finalizing, .cancelling: return batch
        }
        let processed = batch.timeline.processed(of: batch.plan.steps.count, at: now)
        let results = BatchResults(
            plan: batch.plan, processed: processed, stop: stop, answerSeed: answerSeed, model: model,
            created: Int(unixOrigin + min(now, batch.timeline.stopsAnswering)))
        batch.outputFileID = keep(results.output, as: "\(batch.id)_output.jsonl")
        batch.errorFileID = keep(results.errors, as: "\(batch.id)_error.jsonl")
        batch.isWritten = true
        batches[id] = batch
        tally.requestsAnswered += results.answered
        tally.requestsFailed += results.failed
        switch stop {
        case .finished: tally.batchesCompleted += 1
        case .expired:
            tally.batchesExpired += 1
            tally.requestsExpired += results.notRun
        case .cancelled:
            tally.batchesCancelled += 1
            tally.requestsCancelled += results.notRun
        }
        return batch
    }

    /// Stores a written file; nil (no file) when it would be empty, as OpenAI leaves it.
    private func keep(_ bytes: [UInt8], as filename: String) -> String? {
        guard !bytes.isEmpty else { return nil }
        let file = StoredFile(
            id: newID(prefix: "file-", taken: files.keys), filename: filename, purpose: "batch_output", createdAt: unixNow, bytes: bytes,
            requests: [])
        files[file.id] = file
        return file.id
    }

    private func newID(prefix: String, taken: Dictionary<String, some Any>.Keys) -> String {
        while true {
            let id = prefix + BatchResults.hex(random.next()) + BatchResults.hex(random.next()).prefix(8)
            if !taken.contains(id) { return id }
        }
    }
}
