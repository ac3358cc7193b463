/// Runs `body`, failing with `DeadlinePassed` after `limit` (and cancelling `body`). A query on a
/// pool whose database is down waits, silently, until it is back: a live view must say so, and
/// a stopping worker must not wait on it forever (its leases expire on their own).
public func withDeadline<Result: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
    try await withThrowingTaskGroup(of: Result.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw DeadlinePassed(limit: limit)
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw CancellationError() }
        return first
    }
}

public struct DeadlinePassed: Error, CustomStringConvertible {
    public let limit: Duration
    public var description: String { "no answer within \(Int(limit.inSeconds.rounded())) s" }
}
