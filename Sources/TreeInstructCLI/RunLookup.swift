import TaskStore
import TreeInstructCore

extension TaskQueue {
    /// The run named `name`, or a not-found error that lists the runs there are.
    func requireRun(_ name: String) async throws -> RunRecord {
        if let run = try await findRun(named: name) { return run }
        let names = try await runNames()
        let known = names.isEmpty ? "there are no runs yet" : "runs: " + names.map { PrintableName.shown($0, limit: 40) }.joined(separator: ", ")
        throw NotFound("no run named \"\(PrintableName.shown(name, limit: 40))\" (\(known))")
    }
}
