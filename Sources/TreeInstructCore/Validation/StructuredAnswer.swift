import Foundation

/// The JSON object the structured template asks for, decoded in two steps so that text that is
/// not JSON (`malformed_json`) and JSON of the wrong shape (`schema_mismatch`) stay apart.
struct StructuredAnswer: Decodable {
    var originalTree: SemanticNode
    var expandedTree: SemanticNode
    var addedNodes: [String]
    var newInstruction: String

    enum CodingKeys: String, CodingKey {
        case originalTree = "original_tree"
        case expandedTree = "expanded_tree"
        case addedNodes = "added_nodes"
        case newInstruction = "new_instruction"
    }

    static func decode(_ content: String) -> Result<StructuredAnswer, Rejection> {
        let json = stripCodeFence(content)
        do {
            _ = try JSONValue.parse(json)
        } catch {
            return .failure(Rejection(.malformedJSON, "the answer is not one JSON document (\(error)): \(preview(content))"))
        }
        do {
            return .success(try JSONDecoder().decode(StructuredAnswer.self, from: Data(json.utf8)))
        } catch let error as DecodingError {
            return .failure(Rejection(.schemaMismatch, describe(error)))
        } catch {
            return .failure(Rejection(.schemaMismatch, "\(error)"))
        }
    }

    /// Models often wrap JSON in a Markdown fence even when told not to; that alone is no fault.
    static func stripCodeFence(_ content: String) -> String {
        var text = TextNormalization.trimmed(content)
        guard text.hasPrefix("```"), text.hasSuffix("```"), text.count >= 6 else { return text }
        text = String(text.dropFirst(3).dropLast(3))
        if let newline = text.firstIndex(of: "\n"), !text[..<newline].contains("{") {
            text = String(text[text.index(after: newline)...])
        }
        return TextNormalization.trimmed(text)
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "the answer" : keys.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context)) has no field \"\(key.stringValue)\""
        case .typeMismatch(let type, let context):
            return "\(path(context)) is not a \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context)) is null, expected \(type)"
        case .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    static func preview(_ text: String) -> String {
        let folded = TextNormalization.foldWhitespace(text)
        return folded.count > 80 ? "\"\(folded.prefix(80))…\"" : "\"\(folded)\""
    }
}
