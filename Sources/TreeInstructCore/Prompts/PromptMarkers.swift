/// The fences our prompts put around user text. They are procedure words: a rewrite that
/// contains them (and whose original did not) leaked the prompt.
enum PromptMarkers {
    static let open = "<<<"
    static let close = ">>>"

    static func fenced(_ title: String, _ text: String) -> String {
        "\(title):\n\(open)\n\(text)\n\(close)"
    }
}
