/// The JSON object the structured template asks for, decoded in two steps so that text that is
/// not JSON (`malformed_json`) and JSON of the wrong shape (`schema_mismatch`) stay apart.
struct StructuredAnswer {
    var originalTree: SemanticNode
    var expandedTree: SemanticNode
    var addedNodes: [String]
    var newInstruction: String

    static func decode(_ content: String) -> Result<StructuredAnswer, Rejection> {
        let json = stripCodeFence(content)
        let value: JSONValue
        do {
            value = try JSONValue.parse(json)
        } catch {
            return .failure(Rejection(.malformedJSON, "the answer is not one JSON document (\(error)): \(preview(content))"))
        }
        do {
            return .success(try StructuredAnswer(value))
        } catch {
            return .failure(Rejection(.schemaMismatch, error.description))
        }
    }

    /// The answer's shape differs from the schema: where, and how.
    struct ShapeError: Error, CustomStringConvertible {
        let description: String
    }

    /// Reads the fields from the parsed document (extra fields are ignored, as a decoder would).
    /// Paths for error messages are built only when there is an error to report.
    init(_ value: JSONValue) throws(ShapeError) {
        let answer = try Self.object(value, at: "the answer")
        originalTree = try Self.node(try Self.field("original_tree", of: answer, at: "the answer"), at: "original_tree")
        expandedTree = try Self.node(try Self.field("expanded_tree", of: answer, at: "the answer"), at: "expanded_tree")
        addedNodes = []
        for (index, label) in try Self.array(try Self.field("added_nodes", of: answer, at: "the answer"), at: "added_nodes").enumerated() {
            addedNodes.append(try Self.string(label, at: "added_nodes[\(index)]"))
        }
        newInstruction = try Self.string(try Self.field("new_instruction", of: answer, at: "the answer"), at: "new_instruction")
    }

    private static func node(_ value: JSONValue, at path: @autoclosure () -> String) throws(ShapeError) -> SemanticNode {
        let fields = try object(value, at: path())
        let label = try string(try field("label", of: fields, at: path()), at: path() + ".label")
        var children: [SemanticNode] = []
        for (index, child) in try array(try field("children", of: fields, at: path()), at: path() + ".children").enumerated() {
            children.append(try node(child, at: path() + ".children[\(index)]"))
        }
        return SemanticNode(label, children)
    }

    private static func field(_ name: String, of fields: [String: JSONValue], at path: @autoclosure () -> String) throws(ShapeError) -> JSONValue {
        guard let value = fields[name] else { throw ShapeError(description: "\(path()) has no field \"\(name)\"") }
        return value
    }

    private static func object(_ value: JSONValue, at path: @autoclosure () -> String) throws(ShapeError) -> [String: JSONValue] {
        guard case .object(let fields) = value else { throw mismatch(value, at: path(), expected: "an object") }
        return fields
    }

    private static func array(_ value: JSONValue, at path: @autoclosure () -> String) throws(ShapeError) -> [JSONValue] {
        guard case .array(let items) = value else { throw mismatch(value, at: path(), expected: "an array") }
        return items
    }

    private static func string(_ value: JSONValue, at path: @autoclosure () -> String) throws(ShapeError) -> String {
        guard case .string(let text) = value else { throw mismatch(value, at: path(), expected: "a string") }
        return text
    }

    private static func mismatch(_ value: JSONValue, at path: @autoclosure () -> String, expected: String) -> ShapeError {
        let found =
            switch value {
            case .null: "null"
            case .array, .object: "an \(value.typeName)"
            default: "a \(value.typeName)"
            }
        return ShapeError(description: "\(path()) is \(found), expected \(expected)")
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

    static func preview(_ text: String) -> String {
        let folded = TextNormalization.foldWhitespace(text)
        return folded.count > 80 ? "\"\(folded.prefix(80))…\"" : "\"\(folded)\""
    }
}
