import Foundation
import Testing
import TreeInstructCore

@testable import TaskStore

/// The completion batch's JSON parameter, written field by field: what `complete_tasks` reads
/// with `jsonb_to_recordset`, so a key misspelled or a value of the wrong kind would store NULL.
@Suite("Completion batch text")
struct CompletionBatchTextTests {
    static func task(_ id: Int64) -> ClaimedTask {
        ClaimedTask(
            id: id, runID: 1, shardID: 1, stage: .rewrite, round: 1, stagesLeft: 2, instruction: "Say \"hi\".", input: "",
            sourceLine: 3, attempt: 2, maxAttempts: 6, leaseToken: 40 + id, claimedAt: Date(timeIntervalSince1970: 1_700_000_000.5))
    }

    @Test func everyFieldIsWrittenUnderItsColumnAndAbsentOnesAreLeftOut() throws {
        let tree = SemanticNode("write", [SemanticNode("poem", [SemanticNode("short")])])
        let rewrite = Completion(
            task: Self.task(1),
            output: .rewrite(
                AcceptedRewrite(
                    newInstruction: "Write a short poem,\n\"tab\"\there.", originalTree: tree, expandedTree: tree, addedNodes: ["short"],
                    wordCount: 6)),
            followUp: FollowUp(stage: .respond, round: 1, instruction: "Write a short poem."), difficulty: 3,
            report: CallReport(model: "m", promptTokens: 7, completionTokens: 11, latencyMilliseconds: 250, httpStatus: 200))
        let response = Completion(
            task: Self.task(2), output: .response("Ünïcode ✓"), followUp: nil, difficulty: 0, report: CallReport())
        let text = TaskLeases.batchJSON([rewrite, response])

        let parsed = try JSONValue.parse(text)
        #expect(parsed.compactText == text, "compact, keys in sorted order: the text JSONValue writes")
        guard case .array(let rows) = parsed, rows.count == 2, case .object(let first) = rows[0], case .object(let second) = rows[1] else {
            Issue.record("not an array of two objects: \(text)")
            return
        }
        #expect(
            Set(first.keys) == [
                "added_nodes", "attempt", "claimed_epoch", "completion_tokens", "difficulty", "expanded_tree", "follow_instruction",
                "follow_round", "follow_stage", "http_status", "id", "latency_ms", "model", "new_instruction", "original_tree",
                "prompt_tokens", "token", "word_count",
            ])
        #expect(first["new_instruction"] == .string("Write a short poem,\n\"tab\"\there."))
        #expect(first["original_tree"] == tree.json)
        #expect(first["added_nodes"] == .array([.string("short")]))
        #expect(first["id"] == .number(1))
        #expect(first["token"] == .number(41))
        #expect(first["attempt"] == .number(2))
        #expect(first["claimed_epoch"] == .number(1_700_000_000.5))
        #expect(first["follow_stage"] == .string("respond"))
        #expect(first["latency_ms"] == .number(250))
        #expect(Set(second.keys) == ["attempt", "claimed_epoch", "difficulty", "id", "response", "token"])
        #expect(second["response"] == .string("Ünïcode ✓"))
    }
}
