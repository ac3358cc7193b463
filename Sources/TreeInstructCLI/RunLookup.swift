import ArgumentParser
import TaskStore

extension TaskQueue {
    /// The run named `name`, or a usage error saying it does not exist.
    func requireRun(_ name: String) async throws -> RunRecord {
        guard let run = try await findRun(named: name) else { throw ValidationError("no run named \"\(name)\"") }
        return run
    }
}
