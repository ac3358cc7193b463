/// Every call carries a max_tokens: without one a weak model can write to the end of its
/// context, be cut by the request timeout, and be paid for nothing.
extension RunConfig {
    /// Room for a response when `--max-tokens` is not set: about 1,500 English words.
    public static let defaultResponseTokens = 2048

    /// The max_tokens of a call of `stage`: `maxTokens` when the run sets it; otherwise, for a
    /// rewrite, room for the answer the template asks for at `--max-words` (about 1.4 tokens a
    /// word, twice over; the structured template's two trees and JSON take four times more
    /// again), and `defaultResponseTokens` for a response.
    public func completionTokenLimit(for stage: TaskStage) -> Int {
        if let maxTokens { return maxTokens }
        switch stage {
        case .rewrite:
            return switch rewrite.template {
            case .plain: rewrite.maxWords * 3 + 64
            case .structured: rewrite.maxWords * 12 + 256
            }
        case .respond:
            return Self.defaultResponseTokens
        }
    }

    /// Where that limit came from, said when an answer is cut by it.
    public func completionTokenLimitSource(for stage: TaskStage) -> String {
        if maxTokens != nil { return "--max-tokens" }
        return switch stage {
        case .rewrite: "derived from --max-words \(rewrite.maxWords) and the \(rewrite.template.rawValue) template; set --max-tokens to change it"
        case .respond: "the default for responses; set --max-tokens to change it"
        }
    }
}
