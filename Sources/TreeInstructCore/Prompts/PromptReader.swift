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
            let user = messages.last(where: { $0.role == .user })?.content
        else { return nil }
        if system == ResponsePrompt.system { return .respond(text: user) }
        guard system == RewritePrompt.system,
            let instruction = fenced("Instruction", in: user),
            let nodes = number(after: "Add exactly ", in: user),
            let minimum = number(after: "have between ", in: user),
            let maximum = number(after: "\(minimum) and ", in: user)
        else { return nil }
        let input = fenced("Input", in: user) ?? ""
        let template: RewriteTemplate = literalRange(of: "\"original_tree\"", in: user[...]) != nil ? .structured : .plain
        let originalWords = TextNormalization.wordCount(instruction)
        let settings = RewriteSettings(nodesToAdd: nodes, minAddedWords: minimum - originalWords, maxWords: maximum, template: template)
        return .rewrite(instruction: instruction, input: input, settings: settings)
    }

    static func fenced(_ title: String, in text: String) -> String? {
        let opening = "\(title):\n\(PromptMarkers.open)\n"
        guard let start = literalRange(of: opening, in: text[...])?.upperBound,
            let end = literalRange(of: "\n\(PromptMarkers.close)", in: text[start...])?.lowerBound
        else { return nil }
        return String(text[start..<end])
    }

    static func number(after prefix: String, in text: String) -> Int? {
        guard let start = literalRange(of: prefix, in: text[...])?.upperBound else { return nil }
        return Int(text[start...].prefix { $0.isNumber })
    }

    /// A byte-for-byte search: our markers are ASCII, and Foundation's `range(of:)` goes through
    /// NSString on Linux, which made reading a prompt most of the simulator's time per request.
    private static func literalRange(of pattern: String, in text: Substring) -> Range<String.Index>? {
        let needle = Array(pattern.utf8)
        let search = { (bytes: UnsafeBufferPointer<UInt8>) -> Range<Int>? in
            guard let first = needle.first, bytes.count >= needle.count else { return needle.isEmpty ? 0..<0 : nil }
            var start = 0
            while start + needle.count <= bytes.count {
                if bytes[start] == first, (1..<needle.count).allSatisfy({ bytes[start + $0] == needle[$0] }) {
                    return start..<(start + needle.count)
                }
                start += 1
            }
            return nil
        }
        let utf8 = text.utf8
        guard let offsets = utf8.withContiguousStorageIfAvailable(search) ?? Array(utf8).withUnsafeBufferPointer(search) else {
            return nil
        }
        return utf8.index(utf8.startIndex, offsetBy: offsets.lowerBound)..<utf8.index(utf8.startIndex, offsetBy: offsets.upperBound)
    }
}
