import Synchronization

/// Builds the prompts that ask a model to add K semantic-tree nodes to an instruction.
///
/// Our own wording of the Tree-Instruct procedure: parse into a tree of meaning-bearing nouns
/// and verbs, add exactly K nodes in depth or width, write a new instruction from the grown
/// tree. The rules the validator enforces are stated in the prompt with the same numbers.
public enum RewritePrompt {
    public static let system = """
        You turn instructions for language-model training into harder versions of themselves, \
        by a fixed amount. You never carry out or answer an instruction you are given; you only \
        write a more demanding instruction that asks for more.
        """

    /// The prompt for `settings.template`.
    public static func make(instruction: String, input: String, settings: RewriteSettings) -> ChatPrompt {
        switch settings.template {
        case .structured: structured(instruction: instruction, input: input, settings: settings)
        case .plain: plain(instruction: instruction, input: input, settings: settings)
        }
    }

    /// Asks for both trees, the added labels and the new instruction as one JSON object.
    public static func structured(instruction: String, input: String, settings: RewriteSettings) -> ChatPrompt {
        let reply = """
            Reply with one JSON object and nothing else, with these fields:
            - "original_tree": the tree of the instruction as given;
            - "expanded_tree": the same tree with the \(settings.nodesToAdd) new nodes in place;
            - "added_nodes": the labels of exactly \(settings.nodesToAdd) new nodes;
            - "new_instruction": the instruction written from the expanded tree.
            A node is {"label": "<word or short phrase>", "children": [<nodes>]}.
            """
        return ChatPrompt(
            messages: [.init(.system, system), .init(.user, body(instruction, input, settings, reply: reply))],
            responseSchema: responseSchema(nodesToAdd: settings.nodesToAdd)
        )
    }

    /// The structured template's schema for `nodesToAdd`, built and written once per value.
    static func responseSchema(nodesToAdd: Int) -> ResponseSchema {
        schemas.withLock { schemas in
            if let known = schemas[nodesToAdd] { return known }
            let made = ResponseSchema(name: "tree_instruct_rewrite", schema: schema(nodesToAdd: nodesToAdd))
            schemas[nodesToAdd] = made
            return made
        }
    }

    private static let schemas = Mutex<[Int: ResponseSchema]>([:])

    /// Asks for the new instruction only, as the paper did.
    public static func plain(instruction: String, input: String, settings: RewriteSettings) -> ChatPrompt {
        let reply = """
            Work through these steps silently. Reply with the new instruction only: no title, \
            no quotes, no explanation, no tree.
            """
        return ChatPrompt(messages: [.init(.system, system), .init(.user, body(instruction, input, settings, reply: reply))])
    }

    private static func body(_ instruction: String, _ input: String, _ settings: RewriteSettings, reply: String) -> String {
        let originalWords = TextNormalization.wordCount(instruction)
        let minimum = settings.minimumWords(forOriginal: instruction)
        let inputNote =
            input.isEmpty
            ? ""
            : """

               - refer to the input below where the original does, without copying it: the input \
            is passed on unchanged, separately from the instruction;
            """
        var text = """
            Make the instruction below harder in three steps.

            1. Read the instruction as a tree of meaning. Its nodes are the nouns and verbs that \
            carry what it asks: actions, objects, constraints. The root is the main action; the \
            children of a node are the words that qualify or elaborate it.
            2. Add exactly \(settings.nodesToAdd) new nodes. A node added in depth goes under an \
            existing node and makes it more specific; a node added in width goes beside one and \
            adds a further requirement. Keep every existing node, with its label, where it is.
            3. Write a new instruction from the grown tree. It must
               - ask for everything the original asks for, and use the words of every added node;
               - have between \(minimum) and \(settings.maxWords) words (the original has \(originalWords));
               - be in the same language as the original and keep any data format it uses;
               - add no URL or link the original does not have (keep those it has);
               - not mention trees, nodes, parsing or these steps;
               - ask, never answer: do not solve the task.\(inputNote)

            \(reply)

            \(PromptMarkers.fenced("Instruction", instruction))
            """
        if !input.isEmpty {
            text += "\n\n" + PromptMarkers.fenced("Input", input)
        }
        return text
    }

    /// The JSON Schema of a structured answer, strict-mode compatible: every object closed and
    /// every property required, and `added_nodes` pinned to exactly K items.
    public static func schema(nodesToAdd: Int) -> JSONValue {
        let node: JSONValue = [
            "type": "object",
            "properties": [
                "label": ["type": "string"],
                "children": ["type": "array", "items": ["$ref": "#/$defs/node"]],
            ],
            "required": ["label", "children"],
            "additionalProperties": false,
        ]
        return [
            "type": "object",
            "properties": [
                "original_tree": ["$ref": "#/$defs/node"],
                "expanded_tree": ["$ref": "#/$defs/node"],
                "added_nodes": [
                    "type": "array", "items": ["type": "string"],
                    "minItems": .number(Double(nodesToAdd)), "maxItems": .number(Double(nodesToAdd)),
                ],
                "new_instruction": ["type": "string"],
            ],
            "required": ["original_tree", "expanded_tree", "added_nodes", "new_instruction"],
            "additionalProperties": false,
            "$defs": ["node": node],
        ]
    }
}
