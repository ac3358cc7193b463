/// The fixed texts by which the simulator says what it is: respond-stage answers that admit
/// they are simulated, and the reply to prompts it does not recognize.
enum SimulatedText {
    static let unrecognized = """
        This is the TreeInstruct endpoint simulator, not a language model. It answers the prompts \
        TreeInstruct writes (the rewrite and respond stages) and says so for anything else.
        """

    static let unrecognizedJSON = "{\"simulator\":\"treeinstruct\",\"message\":" + JSONText.quoted(unrecognized) + "}"

    /// Words of the task quoted in a simulated response.
    static let quotedWords = 12

    static func response(to task: String) -> String {
        let words = task.split(whereSeparator: \.isWhitespace)
        var quote = words.prefix(quotedWords).joined(separator: " ")
        if words.count > quotedWords { quote += " …" }
        return """
            [Simulated response from the TreeInstruct endpoint simulator; no language model wrote this.] \
            A real model would carry out the task "\(quote)" here, in full. This placeholder lets the \
            respond stage of a pipeline be tested end to end.
            """
    }
}
