import Foundation
import PostgresNIO
import TreeInstructCore

extension EndpointHealthRecords {
    /// The columns every health statement returns, in the names `decode` reads.
    static let returning = "state, since, faults, last_error, changed"

    /// The first row of `rows` as an EndpointHealth, or nil when the statement touched no row.
    func decode(_ rows: PostgresRowSequence) async throws -> EndpointHealth? {
        for try await row in rows {
            let c = row.makeRandomAccess()
            let stateText = try c["state"].decode(String.self)
            guard let state = EndpointHealth.State(rawValue: stateText) else {
                throw StoreInvariantViolated(message: "endpoint_health.state is \(stateText)")
            }
            return EndpointHealth(
                state: state, since: try c["since"].decode(Date.self), faults: try c["faults"].decode(Int.self),
                lastError: try c["last_error"].decode(String?.self), changed: try c["changed"].decode(Bool.self))
        }
        return nil
    }
}
