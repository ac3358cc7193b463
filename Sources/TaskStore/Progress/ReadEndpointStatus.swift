import Foundation
import PostgresNIO
import TreeInstructCore

/// One line of endpoint_status: an endpoint's shared health, as operators read it.
public struct EndpointStatus: Sendable, Hashable {
    public var key: String
    /// up, down or quota.
    public var state: String
    public var since: Date
    public var faults: Int
    public var lastError: String?
    /// When the next probe may run; nil while up.
    public var nextProbeAt: Date?
    public var probes: Int
    public var tasksWaiting: Int
}

extension ProgressReports {
    /// Every endpoint the workers have recorded, from the endpoint_status view (the monitor role
    /// may read it).
    public func endpointStatus() async throws -> [EndpointStatus] {
        let rows = try await client.query(
            """
            SELECT key, state, since, faults, last_error, next_probe_at, probes, tasks_waiting
            FROM \(unescaped: s).endpoint_status ORDER BY key
            """, logger: logger)
        var result: [EndpointStatus] = []
        for try await row in rows {
            let c = row.makeRandomAccess()
            result.append(
                EndpointStatus(
                    key: try c["key"].decode(String.self), state: try c["state"].decode(String.self),
                    since: try c["since"].decode(Date.self), faults: try c["faults"].decode(Int.self),
                    lastError: try c["last_error"].decode(String?.self), nextProbeAt: try c["next_probe_at"].decode(Date?.self),
                    probes: try c["probes"].decode(Int.self), tasksWaiting: try c["tasks_waiting"].decode(Int.self)))
        }
        return result
    }
}
