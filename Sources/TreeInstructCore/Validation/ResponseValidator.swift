/// Decides whether the respond stage's answer can be the training target of an instruction.
public struct ResponseValidator: Sendable {
    public init() {}

    public func validate(content: String, finishReason: String?, instruction: String) -> Result<String, Rejection> {
        let text = TextNormalization.trimmed(content)
        if text.isEmpty {
            return .failure(Rejection(.empty, "the model returned no answer"))
        }
        if finishReason == "length" {
            return .failure(Rejection(.truncated, "the answer hit the token limit (finish_reason length)"))
        }
        if finishReason == "content_filter" {
            return .failure(Rejection(.refusal, "the endpoint's content filter stopped the answer"))
        }
        if let phrase = TextChecks.refusal(in: TextProfile(text), original: TextProfile(instruction)) {
            return .failure(Rejection(.refusal, "the model declined (\"\(phrase)\")"))
        }
        return .success(text)
    }
}
