/// Builds the prompt of the respond stage, which answers the final instruction. Its answer is
/// the training target, so the prompt stays out of the way: the instruction, then its input.
public enum ResponsePrompt {
    public static let system = """
        Carry out the user's instruction fully and accurately. Answer directly, in the language \
        of the instruction, meeting every requirement it states.
        """

    public static func make(instruction: String, input: String) -> ChatPrompt {
        let user = input.isEmpty ? instruction : instruction + "\n\n" + input
        return ChatPrompt(messages: [.init(.system, system), .init(.user, user)])
    }
}
