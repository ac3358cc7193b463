/// Reads our own prompts back: what was asked, with which parameters.
///
/// The endpoint simulator answers through this, so it understands exactly the prompts the
/// builders write, and a change of wording that breaks it fails the tests at once.
public enum PromptReader {
    /// A request recognized as one of ours.
    public enum Request: Sendable, Hashable {
        case rewrite(instruction: String, input: String, settings: RewriteSettings)
        case respond(text: String)
    }

    public static func read(_ messages: [ChatMessage]) -> Request? {
        guard let system = messages.first(where: { $0.role == .system })?.content,
              let user = messages.last(where: { $0.role == .user })?.content else { return nil }
        if system == ResponsePrompt.system { return .respond(text: user) }
        guard system == RewritePrompt.system,
              let instruction = fenced("Instruction", in: user),
              let nodes = number(after: "Add exactly ", in: user),
              let minimum = number(after: "have between ", in: user),
              let maximum = number(after: "\(minimum) and ", in: user) else { return nil }
        let input = fenced("Input", in: user) ?? ""
        let template: RewriteTemplate = user.contains("\"original_tree\"") ? .structured : .plain
        let originalWords = TextNormalization.wordCount(instruction)
        let settings = RewriteSettings(nodesToAdd: nodes, minAddedWords: minimum - originalWords, maxWords: maximum, template: template)
        return .rewrite(instruction: instruction, input: input, settings: settings)
    }

    static func fenced(_ title: String, in text: String) -> String? {
        let opening = "\(title):\n\(PromptMarkers.open)\n"
        guard let start = text.range(of: opening)?.upperBound,
              let end = text.range(of: "\n\(PromptMarkers.close)", range: start..<text.endIndex)?.lowerBound else { return nil }
        return String(text[start..<end])
    }

    static func number(after prefix: String, in text: String) -> Int? {
        guard let start = text.range(of: prefix)?.upperBound else { return nil }
        return Int(text[start...].prefix { $0.isNumber })
    }
}
