import TreeInstructCore

/// Run configurations never change once a run exists, so each worker reads each one once.
actor RunConfigCache {
    private let store: any LeaseStore
    private var configs: [Int64: RunConfig] = [:]

    init(store: any LeaseStore) { self.store = store }

    func config(for runID: Int64) async throws -> RunConfig {
        if let config = configs[runID] { return config }
        let config = try await store.runConfig(id: runID)
        configs[runID] = config
        return config
    }
}
