import Testing
import TreeInstructCore

@testable import LLMClient

/// The response body as servers send it: extra fields ignored, nulls as absent, a wrong type
/// unreadable (as a strict decoder would have it).
@Suite("Chat response bodies")
struct ChatResponseBodyTests {
    static func read(_ text: String) throws -> ChatResponseBody {
        var text = text
        return try text.withUTF8 { try ChatResponseBody(bytes: $0) }
    }

    @Test func readsWhatItUsesAndIgnoresTheRest() throws {
        let body = try Self.read(
            #"{"id":"x","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hi","tool_calls":[]},"finish_reason":"stop","logprobs":null}],"usage":{"prompt_tokens":12.0,"completion_tokens":3,"total_tokens":15},"system_fingerprint":null}"#
        )
        #expect(body.model == "m")
        #expect(body.choices.first?.content == "Hi" && body.choices.first?.finishReason == "stop" && body.choices.first?.hasMessage == true)
        #expect(body.promptTokens == 12 && body.completionTokens == 3)
    }

    @Test func nullsAndMissingPartsReadAsAbsent() throws {
        let refusal = try Self.read(#"{"choices":[{"message":{"content":null,"refusal":"no"},"finish_reason":null}],"usage":null}"#)
        #expect(refusal.choices.first?.content == nil && refusal.choices.first?.refusal == "no")
        #expect(refusal.model == nil && refusal.promptTokens == nil)
        #expect(try Self.read(#"{"choices":[{"finish_reason":"stop"}]}"#).choices.first?.hasMessage == false)
        #expect(try Self.read(#"{"choices":[]}"#).choices.isEmpty)
    }

    @Test(arguments: [
        "", "[]", #"{"model":"m"}"#, #"{"choices":{}}"#, #"{"choices":[1]}"#, #"{"choices":[{"message":"text"}]}"#,
        #"{"choices":[{"message":{"content":7}}]}"#, #"{"choices":[],"usage":{"prompt_tokens":"12"}}"#,
        #"{"choices":[],"usage":{"prompt_tokens":1.5}}"#, #"{"choices":[],"model":3}"#, #"{"choices":[], "#,
    ])
    func wrongShapesAreUnreadable(text: String) {
        #expect(throws: ChatResponseBody.Unreadable.self) { try Self.read(text) }
    }
}
