import TreeInstructCore

/// One simulated rewrite: the trees, the added labels and the harder instruction, rendered as
/// the template asks (the JSON object for structured, the bare instruction for plain).
public struct RewriteAnswer: Sendable, Hashable {
    public var originalTree: SemanticNode
    public var expandedTree: SemanticNode
    public var addedLabels: [String]
    public var newInstruction: String

    /// The message content a model following the prompt of `template` would send.
    public func content(for template: RewriteTemplate) -> String {
        switch template {
        case .plain: newInstruction
        case .structured: structuredJSON()
        }
    }

    /// The structured template's object; `omitAddedNodes` makes a schema mismatch on purpose.
    func structuredJSON(omitAddedNodes: Bool = false) -> String {
        var json = JSONText(capacity: newInstruction.utf8.count * 2 + 256)
        json.raw("{\"original_tree\":")
        Self.write(originalTree, to: &json)
        json.raw(",\"expanded_tree\":")
        Self.write(expandedTree, to: &json)
        if !omitAddedNodes {
            json.raw(",\"added_nodes\":[")
            for (index, label) in addedLabels.enumerated() {
                if index > 0 { json.raw(",") }
                json.string(label)
            }
            json.raw("]")
        }
        json.raw(",\"new_instruction\":")
        json.string(newInstruction)
        json.raw("}")
        return json.text
    }

    private static func write(_ node: SemanticNode, to json: inout JSONText) {
        json.raw("{\"label\":")
        json.string(node.label)
        json.raw(",\"children\":[")
        for (index, child) in node.children.enumerated() {
            if index > 0 { json.raw(",") }
            write(child, to: &json)
        }
        json.raw("]}")
    }
}
