/// Decides whether the respond stage's answer can be the training target of an instruction.
///
/// Checks, in order (the first that fails is the rejection): empty, truncated, content filter,
/// refusal, degenerate, echoed instruction, procedure text.
public struct ResponseValidator: Sendable {
    public init() {}

    public func validate(content: String, finishReason: String?, instruction: String, input: String = "") -> Result<String, Rejection> {
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
        let answer = TextProfile(text)
        let asked = TextProfile(input.isEmpty ? instruction : instruction + "\n" + input)
        if let phrase = TextChecks.refusal(in: answer, original: asked) {
            return .failure(Rejection(.refusal, "the model declined (\"\(phrase)\")"))
        }
        if let reason = ResponseChecks.degenerate(answer, asked: asked) {
            return .failure(Rejection(.degenerate, "the answer \(reason)"))
        }
        if ResponseChecks.echoes(answer, instruction: instruction, input: input) {
            return .failure(Rejection(.echoedInstruction, "the answer repeats the instruction"))
        }
        let procedure = ResponseChecks.procedure(in: answer, asked: asked)
        if !procedure.isEmpty {
            return .failure(
                Rejection(.leakedProcedure, "the answer is rewrite-procedure text (\(procedure.map { "\"\($0)\"" }.joined(separator: ", ")))"))
        }
        return .success(text)
    }
}
