/// Why a model's answer was not accepted. The raw values are stored with every attempt and
/// grouped in SQL (`failure_reasons`), so they never change once released.
public enum RejectionCode: String, Sendable, Hashable, Codable, CaseIterable {
    case empty
    case truncated
    case refusal
    case malformedJSON = "malformed_json"
    case schemaMismatch = "schema_mismatch"
    case answeredInstead = "answered_instead"
    case unchanged
    case wrongAddedCount = "wrong_added_count"
    case originalNotPreserved = "original_not_preserved"
    case depthExceeded = "depth_exceeded"
    case urlIntroduced = "url_introduced"
    case leakedProcedure = "leaked_procedure"
    case languageChanged = "language_changed"
    case tooLong = "too_long"
    case tooShort = "too_short"
    case addedNotUsed = "added_not_used"
    /// A response that repeats its instruction (and input) instead of carrying it out.
    case echoedInstruction = "echoed_instruction"
    /// A response that is nothing but punctuation, or one word over and over.
    case degenerate
}

/// One rejection: a stable code to group by and a human sentence to read.
public struct Rejection: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: RejectionCode
    public let detail: String

    public init(_ code: RejectionCode, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "\(code.rawValue): \(detail)" }
}
