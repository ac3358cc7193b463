/// Runs `body`, failing with `DeadlinePassed` after `seconds`. A query on a pool whose
/// database is down waits, silently, until it is back; a live view must say so instead.
func withDeadline<Result: Sendable>(seconds: Double, _ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
    try await withThrowingTaskGroup(of: Result.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw DeadlinePassed(seconds: seconds)
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw CancellationError() }
        return first
    }
}

struct DeadlinePassed: Error, CustomStringConvertible {
    let seconds: Double
    var description: String { "no answer within \(Int(seconds)) s" }
}
