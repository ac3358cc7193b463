import Foundation
import TreeInstructCore

/// OpenAI's batch object, read: `{"id", "status", "output_file_id", "error_file_id",
/// "request_counts": {"total", "completed", "failed"}, "created_at", "expires_at", "metadata",
/// "errors": {"data": [{"message"}]}}`. Unknown fields are ignored.
enum BatchObject {
    struct Unreadable: Error {}

    static func read(_ json: JSONValue) throws -> ProviderBatch {
        guard case .string(let id)? = json["id"], case .string(let status)? = json["status"] else { throw Unreadable() }
        var metadata: [String: String] = [:]
        if case .object(let pairs)? = json["metadata"] {
            for (key, value) in pairs { if case .string(let text) = value { metadata[key] = text } }
        }
        var failure: String?
        if case .array(let errors)? = json["errors"]?["data"] {
            failure =
                errors.compactMap { error -> String? in
                    guard case .string(let message)? = error["message"] else { return nil }
                    return message
                }.first
        }
        let counts = json["request_counts"]
        return ProviderBatch(
            id: id, status: status, outputFileID: string(json["output_file_id"]), errorFileID: string(json["error_file_id"]),
            total: integer(counts?["total"]), completed: integer(counts?["completed"]), failed: integer(counts?["failed"]),
            createdAt: date(json["created_at"]), expiresAt: date(json["expires_at"]), metadata: metadata, failure: failure)
    }

    private static func string(_ value: JSONValue?) -> String? {
        if case .string(let text)? = value, !text.isEmpty { return text }
        return nil
    }

    private static func integer(_ value: JSONValue?) -> Int {
        if case .number(let number)? = value { return Int(number) }
        return 0
    }

    private static func date(_ value: JSONValue?) -> Date? {
        if case .number(let seconds)? = value { return Date(timeIntervalSince1970: seconds) }
        return nil
    }
}
