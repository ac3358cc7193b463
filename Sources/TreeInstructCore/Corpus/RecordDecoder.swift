/// Turns one parsed JSON row into an instruction, per corpus format, or says precisely why not.
enum RecordDecoder {
    typealias Reason = CorpusError.Reason

    static func decode(_ value: JSONValue, format: CorpusFormat, line: Int) throws(Reason) -> InstructionRecord {
        guard case .object(let fields) = value else { throw .notAnObject(found: value.typeName) }
        switch format {
        case .alpaca, .alpacaArray: return try alpaca(fields, line: line)
        case .sharegpt: return try shareGPT(fields, line: line)
        case .selfInstruct: return try selfInstruct(fields, line: line)
        case .text: throw .notAnObject(found: "text")
        }
    }

    private static func alpaca(_ fields: [String: JSONValue], line: Int) throws(Reason) -> InstructionRecord {
        InstructionRecord(
            instruction: try requiredInstruction(fields, "instruction"),
            input: try optionalString(fields, "input") ?? "",
            referenceOutput: try optionalString(fields, "output"),
            line: line,
            sourceID: try optionalID(fields)
        )
    }

    private static func selfInstruct(_ fields: [String: JSONValue], line: Int) throws(Reason) -> InstructionRecord {
        let instruction = try requiredInstruction(fields, "instruction")
        var input = "", output: String?
        switch fields["instances"] {
        case nil, .null?:
            break
        case .array(let instances)?:
            if let first = instances.first {
                guard case .object(let instance) = first else {
                    throw .wrongType(field: "instances[0]", expected: "an object", found: first.typeName)
                }
                input = try optionalString(instance, "input", path: "instances[0].input") ?? ""
                output = try optionalString(instance, "output", path: "instances[0].output")
            }
        case let other?:
            throw .wrongType(field: "instances", expected: "an array", found: other.typeName)
        }
        return InstructionRecord(
            instruction: instruction, input: input, referenceOutput: output, line: line,
            sourceID: try optionalID(fields))
    }

    /// The first human (or user) turn is the instruction; the assistant turn after it, the reference.
    private static func shareGPT(_ fields: [String: JSONValue], line: Int) throws(Reason) -> InstructionRecord {
        let key = fields["conversations"] != nil ? "conversations" : "items"
        guard let turnsValue = fields[key] else { throw .missingField("items") }
        guard case .array(let turns) = turnsValue else {
            throw .wrongType(field: key, expected: "an array", found: turnsValue.typeName)
        }
        var instruction: String?, output: String?
        for (index, turn) in turns.enumerated() {
            let path = "\(key)[\(index)]"
            guard case .object(let turnFields) = turn else {
                throw .wrongType(field: path, expected: "an object", found: turn.typeName)
            }
            let role = try firstString(turnFields, ["from", "role"], path: path)
            let text = try firstString(turnFields, ["value", "content"], path: path)
            if instruction == nil, role == "human" || role == "user" {
                guard let text else { throw .missingField(path + ".value") }
                instruction = text
            } else if instruction != nil, role == "gpt" || role == "assistant" {
                output = text
                break
            }
        }
        guard let instruction else { throw .noHumanTurn }
        guard !instruction.allSatisfy(\.isWhitespace) else { throw .emptyInstruction }
        return InstructionRecord(instruction: instruction, referenceOutput: output, line: line, sourceID: try optionalID(fields))
    }

    /// The first of `keys` present, so both ShareGPT (from/value) and OpenAI (role/content) turns read.
    private static func firstString(_ fields: [String: JSONValue], _ keys: [String], path: String) throws(Reason) -> String? {
        for key in keys {
            if let text = try optionalString(fields, key, path: path + "." + key) { return text }
        }
        return nil
    }

    private static func requiredInstruction(_ fields: [String: JSONValue], _ key: String) throws(Reason) -> String {
        guard let value = fields[key] else { throw .missingField(key) }
        guard case .string(let text) = value else { throw .wrongType(field: key, expected: "a string", found: value.typeName) }
        guard !text.allSatisfy(\.isWhitespace) else { throw .emptyInstruction }
        return text
    }

    private static func optionalString(_ fields: [String: JSONValue], _ key: String, path: String? = nil) throws(Reason) -> String? {
        switch fields[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw .wrongType(field: path ?? key, expected: "a string", found: other.typeName)
        }
    }

    private static func optionalID(_ fields: [String: JSONValue]) throws(Reason) -> String? {
        switch fields["id"] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case .number(let number)?: return number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case let other?: throw .wrongType(field: "id", expected: "a string or number", found: other.typeName)
        }
    }
}
