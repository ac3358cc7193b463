import Coordinator
import Foundation
import PostgresTestSupport
import TaskStore
import Testing
import TreeInstructCore

/// Exports of rows whose chain stopped early (issue 18): by default each ended row is written at
/// its last accepted round with that round's difficulty; `--complete-only` keeps only finished
/// rows; `--min-difficulty` filters; rows in progress wait. Every export reads one row per page,
/// so each row crosses a page boundary.
@Suite("Exports of rows whose chain stopped", .enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
struct PartialExportTests {
    /// Two rounds of K=3, no respond stage. Lines 1 and 3 finish (difficulty 6); 2 and 4 are
    /// rejected in round 2 (round 1, difficulty 3, is their last accepted); 5 waits for round 2;
    /// 6 is rejected in round 1 (nothing was accepted).
    static func twoRounds(_ database: Database) async throws -> RunRecord {
        let config = RunConfig(rewrite: RewriteSettings(nodesToAdd: 3), rounds: 2, respond: false, model: "seeded", maxAttempts: 1)
        return try await StoppedRun.seed(database, name: "two-rounds", rows: 6, config: config) { line, _, round in
            switch (line, round) {
            case (2, 2), (4, 2), (6, 1): .reject
            case (5, 2): .leave
            default: .accept
            }
        }
    }

    /// One round and a respond stage: line 1 is answered, line 2's answer is rejected, line 3's
    /// answer is still to come.
    static func answered(_ database: Database) async throws -> RunRecord {
        let config = RunConfig(rewrite: RewriteSettings(nodesToAdd: 3), rounds: 1, respond: true, model: "seeded", maxAttempts: 1)
        return try await StoppedRun.seed(database, name: "answered", rows: 3, config: config) { line, stage, _ in
            switch (line, stage) {
            case (2, .respond): .reject
            case (3, .respond): .leave
            default: .accept
            }
        }
    }

    /// The exported records, parsed.
    static func export(
        _ database: Database, _ run: RunRecord, format: ExportFormat = .alpaca, order: ExportOrder = .source, lineage: Bool = false,
        selection: ExportSelection = .everyEndedRow
    ) async throws -> [[String: Any]] {
        let path = NSTemporaryDirectory() + "partial-export-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let export = Export(queue: database.queue, format: format, order: order, lineage: lineage, selection: selection, pageSize: 1)
        let count = try await OutputTarget.resolve(path).write { try await export.write(runID: run.id, to: $0) }
        let records = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(records.count == count)
        return records
    }

    /// Source lines of alpaca records, read from their input ("input N").
    static func lines(_ records: [[String: Any]]) -> [Int] {
        records.map { Int(($0["input"] as? String ?? "").dropFirst("input ".count)) ?? -1 }
    }

    static func difficulties(_ records: [[String: Any]]) -> [Int] { records.map { $0["difficulty"] as? Int ?? -1 } }

    @Test func everyEndedRowIsWrittenAtItsLastAcceptedRound() async throws {
        let database = try await TestPostgres.database()
        let run = try await Self.twoRounds(database)
        let records = try await Self.export(database, run)
        #expect(Self.lines(records) == [1, 2, 3, 4])
        #expect(Self.difficulties(records) == [6, 3, 6, 3])
        #expect(
            records.map { $0["instruction"] as? String } == [
                "Describe item 1. Harder in round 1. Harder in round 2.", "Describe item 2. Harder in round 1.",
                "Describe item 3. Harder in round 1. Harder in round 2.", "Describe item 4. Harder in round 1.",
            ])
        #expect(records.allSatisfy { $0["output"] as? String == "" })
        // Lineage lists the rounds that were accepted.
        let traced = try await Self.export(database, run, lineage: true)
        #expect(traced.map { ($0["rounds"] as? [[String: Any]] ?? []).map { $0["round"] as? Int ?? -1 } } == [[1, 2], [1], [1, 2], [1]])
        #expect(traced.map { $0["source_line"] as? Int } == [1, 2, 3, 4])
    }

    @Test func completeOnlyKeepsRowsWhoseEveryStageSucceeded() async throws {
        let database = try await TestPostgres.database()
        let run = try await Self.twoRounds(database)
        let complete = ExportSelection(completeOnly: true)
        #expect(Self.lines(try await Self.export(database, run, selection: complete)) == [1, 3])
        #expect(Self.lines(try await Self.export(database, run, order: .difficulty, selection: complete)) == [1, 3])
    }

    @Test func minDifficultyFiltersInBothOrders() async throws {
        let database = try await TestPostgres.database()
        let run = try await Self.twoRounds(database)
        for order in ExportOrder.allCases {
            #expect(Self.lines(try await Self.export(database, run, order: order, selection: ExportSelection(minDifficulty: 4))) == [1, 3])
            #expect(Self.lines(try await Self.export(database, run, order: order, selection: ExportSelection(minDifficulty: 7))).isEmpty)
            let atLeastThree = try await Self.export(database, run, order: order, lineage: true, selection: ExportSelection(minDifficulty: 3))
            #expect(Self.lines(atLeastThree).sorted() == [1, 2, 3, 4])
            #expect(Self.difficulties(atLeastThree).allSatisfy { $0 >= 3 })
        }
    }

    @Test func difficultyOrderPutsStoppedRowsAtTheirOwnLevel() async throws {
        let database = try await TestPostgres.database()
        let run = try await Self.twoRounds(database)
        let records = try await Self.export(database, run, order: .difficulty)
        #expect(Self.lines(records) == [2, 4, 1, 3])
        #expect(Self.difficulties(records) == [3, 3, 6, 6])
        #expect(try await database.queue.results.exportDifficulties(runID: run.id) == [3, 6])
        #expect(try await database.queue.results.exportDifficulties(runID: run.id, selection: ExportSelection(completeOnly: true)) == [6])
    }

    @Test func rowsInProgressWaitAndCancelledOnesEnd() async throws {
        let database = try await TestPostgres.database()
        let run = try await Self.twoRounds(database)
        // Rejected tasks back to work: lines 2, 4 and 6 are in progress again, like line 5.
        #expect(try await database.queue.runs.rerun(runID: run.id, scope: .failed) == 3)
        #expect(Self.lines(try await Self.export(database, run)) == [1, 3])
        // Cancelled, the rows of round 2 end at round 1; line 6 has nothing accepted.
        try await database.queue.runs.cancelRun(id: run.id)
        let records = try await Self.export(database, run)
        #expect(Self.lines(records) == [1, 2, 3, 4, 5])
        #expect(Self.difficulties(records) == [6, 3, 6, 3, 3])
    }

    @Test func aRejectedAnswerKeepsTheRewrite() async throws {
        let database = try await TestPostgres.database()
        let run = try await Self.answered(database)
        let alpaca = try await Self.export(database, run)
        #expect(Self.lines(alpaca) == [1, 2])
        #expect(alpaca.map { $0["output"] as? String } == ["Answer to line 1.", ""])
        #expect(alpaca.map { $0["instruction"] as? String } == ["Describe item 1. Harder in round 1.", "Describe item 2. Harder in round 1."])
        #expect(Self.difficulties(alpaca) == [3, 3])
        let sharegpt = try await Self.export(database, run, format: .sharegpt)
        let turns = sharegpt.map { ($0["conversations"] as? [[String: Any]] ?? []).map { $0["from"] as? String ?? "?" } }
        #expect(turns == [["human", "gpt"], ["human"]])
        #expect(Self.lines(try await Self.export(database, run, selection: ExportSelection(completeOnly: true))) == [1])
    }

    @Test func theCommandLineTakesTheOptions() async throws {
        let database = try await TestPostgres.database()
        _ = try await Self.twoRounds(database)
        let environment = WorkerProcess.environment(database.settings)
        func export(_ options: [String]) async throws -> BadInvocationTests.Outcome {
            try await BadInvocationTests.invoke(["export", "--schema", database.schema, "--run", "two-rounds"] + options, environment: environment)
        }
        for (options, lines) in [
            ([], [1, 2, 3, 4]), (["--complete-only"], [1, 3]), (["--order", "difficulty", "--min-difficulty", "3"], [2, 4, 1, 3]),
        ] {
            let outcome = try await export(options)
            #expect(outcome.status == 0, "\(outcome.error)")
            let records = try outcome.output.split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            #expect(Self.lines(records) == lines, "\(options)")
        }
    }
}
