import TaskStore
import TreeInstructCore

extension RunCatalog {
    /// The run named `name`, or a not-found error that lists the runs there are.
    func requireRun(_ name: String) async throws -> RunRecord {
        if let run = try await findRun(named: name) { return run }
        throw NotFound.run(name, among: try await runNames())
    }
}
