import TreeInstructCore

/// Where the cluster keeps each endpoint's health, so that every worker on every machine stops
/// claiming together when it is down or out of quota, and resumes together. PostgreSQL
/// implements it (TaskStore's `EndpointHealthRecords`, wired in Wiring).
public protocol EndpointHealthStore: Sendable {
    /// The state now; nil when nothing was ever recorded (the endpoint is up).
    func read(key: String) async throws -> EndpointHealth?
    /// Counts one endpoint fault; the one that reaches `threshold` with no answer between marks it down.
    func recordFault(key: String, detail: String, threshold: Int, probeEvery: Duration) async throws -> EndpointHealth
    /// Resets the fault count and brings the endpoint up; nil when there was nothing to reset.
    func recordAnswer(key: String) async throws -> EndpointHealth?
    /// True for the one caller that takes a due probe of an endpoint that is not up.
    func takeProbe(key: String, interval: Duration) async throws -> Bool
    /// Marks the quota spent.
    func recordQuotaExhausted(key: String, detail: String, probeEvery: Duration) async throws -> EndpointHealth
    /// Clears a quota stop when a worker starts; returns it, or nil if there was none.
    func clearQuotaStop(key: String) async throws -> EndpointHealth?
}
