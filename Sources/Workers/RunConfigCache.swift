import TreeInstructCore

/// Run configurations never change once a run exists, so each worker reads each one once: the
/// first call for a run reads it, and calls that come while it reads wait for that read instead
/// of sending their own (a worker starting 64 calls at once read the same run 64 times).
actor RunConfigCache {
    private let store: any LeaseStore
    private var configs: [Int64: RunConfig] = [:]
    /// Calls waiting on a read in progress, by run.
    private var waiting: [Int64: [CheckedContinuation<RunConfig, any Error>]] = [:]

    init(store: any LeaseStore) { self.store = store }

    func config(for runID: Int64) async throws -> RunConfig {
        if let config = configs[runID] { return config }
        if waiting[runID] != nil {
            return try await withCheckedThrowingContinuation { waiting[runID, default: []].append($0) }
        }
        waiting[runID] = []
        let result: Result<RunConfig, any Error>
        do {
            result = .success(try await store.runConfig(id: runID))
        } catch {
            result = .failure(error)
        }
        if case .success(let config) = result { configs[runID] = config }
        // A failed read is not kept: the next call reads again.
        for waiter in waiting.removeValue(forKey: runID) ?? [] { waiter.resume(with: result) }
        return try result.get()
    }
}
