import Foundation
import TestCorpora
import Testing
import TreeInstructCore

/// The respond stage's junk checks against real answers: GPT-4's own answers in Alpaca-GPT4 (the
/// data the paper started from) are what a good response looks like, so they must pass.
@Suite("Real answers pass the respond-stage checks")
struct PaperAnswersTests {
    @Test func gpt4AnswersOfAlpacaGPT4Pass() throws {
        let text = try String(contentsOfFile: TestCorpora.path("alpaca-gpt4-1k.jsonl"), encoding: .utf8)
        var checked = 0
        var rejected: [String] = []
        for line in text.split(separator: "\n") {
            guard let row = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let instruction = row["instruction"] as? String, let output = row["output"] as? String
            else { continue }
            checked += 1
            let input = row["input"] as? String ?? ""
            if case .failure(let rejection) = ResponseValidator().validate(
                content: output, finishReason: "stop", instruction: instruction, input: input)
            {
                rejected.append("\(rejection.code.rawValue): \(instruction.prefix(60)) → \(output.prefix(80))")
            }
        }
        #expect(checked == 1000)
        // The junk checks (degenerate, echoed instruction, procedure text) fire on no real answer.
        let junk = rejected.filter { !$0.hasPrefix("refusal") }
        #expect(junk.isEmpty, "\(junk.joined(separator: "\n"))")
        // 26 of GPT-4's answers open with "As an AI…" or "I'm sorry, …" and are refused as such
        // (some then help anyway); this bound only keeps that number from growing unnoticed.
        #expect(rejected.count <= 26, "\(rejected.joined(separator: "\n"))")
    }
}
