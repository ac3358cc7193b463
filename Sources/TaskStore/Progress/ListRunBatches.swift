import Foundation
import PostgresNIO

/// One provider batch of a run, as the viewer lists it.
public struct BatchRow: Sendable, Hashable {
    public var id: Int64
    /// packing, open, ended, applied or abandoned (ours).
    public var state: String
    /// The provider's word, as last polled.
    public var providerStatus: String?
    public var providerBatchID: String?
    public var requests: Int
    public var completed: Int
    public var failed: Int
    public var applied: Int
    public var rejected: Int
    public var returned: Int
    public var createdAt: Date
    public var expiresAt: Date?
    public var note: String?
}

extension ProgressReports {
    /// A run's latest `limit` batches, newest first.
    public func runBatches(runID: Int64, limit: Int = 50) async throws -> [BatchRow] {
        let rows = try await client.query(
            """
            SELECT id, state, provider_status, provider_batch_id, request_count, completed_count, failed_count, applied_count,
                   rejected_count, returned_count, created_at, expires_at, last_error
            FROM \(unescaped: s).batches WHERE run_id = \(runID) ORDER BY id DESC LIMIT \(limit)
            """, logger: logger)
        var result: [BatchRow] = []
        for try await row in rows {
            let c = row.makeRandomAccess()
            result.append(
                BatchRow(
                    id: try c["id"].decode(Int64.self), state: try c["state"].decode(String.self),
                    providerStatus: try c["provider_status"].decode(String?.self), providerBatchID: try c["provider_batch_id"].decode(String?.self),
                    requests: try c["request_count"].decode(Int.self), completed: try c["completed_count"].decode(Int.self),
                    failed: try c["failed_count"].decode(Int.self), applied: try c["applied_count"].decode(Int.self),
                    rejected: try c["rejected_count"].decode(Int.self), returned: try c["returned_count"].decode(Int.self),
                    createdAt: try c["created_at"].decode(Date.self), expiresAt: try c["expires_at"].decode(Date?.self),
                    note: try c["last_error"].decode(String?.self)))
        }
        return result
    }
}
