/// What the simulated server cannot do, like the small servers users run models on: answer
/// more than a few requests at once, or take every structured-output form.
public struct ServerLimits: Sendable, Hashable, CustomStringConvertible {
    /// The structured-output forms (`response_format.type`) the server takes.
    public enum Forms: String, Sendable, Hashable, CaseIterable {
        /// text, json_object and json_schema (OpenAI, vLLM).
        case all
        /// text and json_object; json_schema gets HTTP 500 "Input should be 'text' or
        /// 'json_object'", as llama-cpp-python's server answers it.
        case jsonObject = "json_object"
        /// text only; any response_format other than text gets HTTP 400.
        case text
    }

    public var forms: Forms
    /// Requests answered at once; the others wait their turn, in order, before their latency
    /// starts (llama.cpp's server with one slot). nil: no limit.
    public var slots: Int?

    public static let none = ServerLimits()

    public init(forms: Forms = .all, slots: Int? = nil) {
        self.forms = forms
        self.slots = slots
    }

    public var description: String {
        var parts: [String] = []
        if forms != .all { parts.append("structured output: \(forms == .text ? "none" : "json_object only")") }
        if let slots { parts.append("\(slots) slot\(slots == 1 ? "" : "s")") }
        return parts.joined(separator: ", ")
    }
}
