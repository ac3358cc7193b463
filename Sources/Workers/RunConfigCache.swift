import TaskStore
import TreeInstructCore

/// Run configurations never change once a run exists, so each worker reads each one once.
actor RunConfigCache {
    private let queue: TaskQueue
    private var configs: [Int64: RunConfig] = [:]

    init(queue: TaskQueue) { self.queue = queue }

    func config(for runID: Int64) async throws -> RunConfig {
        if let config = configs[runID] { return config }
        let config = try await queue.runConfig(id: runID)
        configs[runID] = config
        return config
    }
}
