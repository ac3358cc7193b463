import Foundation
import Synchronization

/// What this worker's calls came to since the last summary: the `work` log's minute line, so an
/// operator watching one machine sees it working without Prometheus or SQL.
final class WorkerTally: Sendable {
    struct Counts: Sendable {
        var accepted = 0
        var rejected: [String: Int] = [:]
        var errors: [String: Int] = [:]
        var throttled = 0

        var rejectedTotal: Int { rejected.values.reduce(0, +) }
        var errorTotal: Int { errors.values.reduce(0, +) }
    }

    private let counts = Mutex(Counts())
    private let total = Mutex(0)

    func accepted() {
        counts.withLock { $0.accepted += 1 }
        total.withLock { $0 += 1 }
    }

    func rejected(code: String) { counts.withLock { $0.rejected[code, default: 0] += 1 } }
    func error(code: String) { counts.withLock { $0.errors[code, default: 0] += 1 } }
    func throttled() { counts.withLock { $0.throttled += 1 } }

    /// The counts since the last call, and answers accepted since the worker started.
    func take() -> (Counts, acceptedInAll: Int) {
        (
            counts.withLock { counts in
                defer { counts = Counts() }
                return counts
            }, total.withLock { $0 }
        )
    }

    /// "accepted 42 (42.0/min), rejected 3 (too_short 2, leaked_procedure 1), errors 0, 429s 1".
    static func line(_ counts: Counts, over seconds: Double) -> String {
        func top(_ codes: [String: Int]) -> String {
            guard !codes.isEmpty else { return "" }
            let shown = codes.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(3).map { "\($0.key) \($0.value)" }
            return " (" + shown.joined(separator: ", ") + (codes.count > 3 ? ", …" : "") + ")"
        }
        let rate = seconds > 0 ? Double(counts.accepted) / seconds * 60 : 0
        return "accepted \(counts.accepted) (\(String(format: "%.1f", rate))/min), "
            + "rejected \(counts.rejectedTotal)\(top(counts.rejected)), errors \(counts.errorTotal)\(top(counts.errors)), "
            + "429s \(counts.throttled)"
    }
}
