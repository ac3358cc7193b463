import Foundation
import TaskStore
import TreeInstructCore

/// Dataset layouts an export can write.
public enum ExportFormat: String, Sendable, CaseIterable {
    /// `{"instruction", "input", "output"}` per line.
    case alpaca
    /// `{"id", "conversations": [{"from": "human"}, {"from": "gpt"}]}` per line.
    case sharegpt
}

/// Writes the rows of a run whose chain ended as JSON Lines, reading them in short pages, so a
/// run of any size exports in constant memory and a lost database fails between pages.
public struct Export: Sendable {
    public var queue: QueueSchema
    public var format: ExportFormat
    public var order: ExportOrder
    public var lineage: Bool
    /// Which ended rows to write (default: every one, complete or at its last accepted round).
    public var selection: ExportSelection
    /// Rows per query (default 1,000).
    public var pageSize: Int

    public init(
        queue: QueueSchema, format: ExportFormat, order: ExportOrder = .source, lineage: Bool = false,
        selection: ExportSelection = .everyEndedRow, pageSize: Int = 1000
    ) {
        self.queue = queue
        self.format = format
        self.order = order
        self.lineage = lineage
        self.selection = selection
        self.pageSize = pageSize
    }

    /// Writes the rows of `runID` whose chain ended, as `selection` chooses, to `output`; returns
    /// how many rows were written. A row still in progress is left for a later export. Source
    /// order is (source line, last task id); difficulty order is each level in turn, lowest first,
    /// each in source order.
    @discardableResult
    public func write(runID: Int64, to output: OutputWriter) async throws -> Int {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let levels: [Int?] =
            order == .difficulty ? try await queue.results.exportDifficulties(runID: runID, selection: selection) : [nil]
        var count = 0
        for level in levels {
            var position = ExportPosition.start
            while true {
                let page = try await queue.results.exportPage(
                    runID: runID, after: position, difficulty: level, selection: selection, lineage: lineage, limit: pageSize)
                for row in page {
                    try output.write(try encoder.encode(record(for: row)))
                    try output.write(CollectionOfOne(0x0A))
                }
                count += page.count
                guard page.count == pageSize, let last = page.last else { break }
                position = ExportPosition(after: last)
            }
        }
        return count
    }

    func record(for row: ExportRow) throws -> JSONValue {
        var fields: [String: JSONValue]
        switch format {
        case .alpaca:
            // No answer (no respond stage, or the chain stopped before it) is "": the format's
            // readers expect a string, and an accepted answer is never empty.
            fields = ["instruction": .string(row.instruction), "input": .string(row.input), "output": .string(row.output ?? "")]
        case .sharegpt:
            let human = row.input.isEmpty ? row.instruction : row.instruction + "\n\n" + row.input
            var turns: [JSONValue] = [["from": "human", "value": .string(human)]]
            if let output = row.output { turns.append(["from": "gpt", "value": .string(output)]) }
            fields = ["id": .string(row.sourceID ?? "line-\(row.sourceLine)"), "conversations": .array(turns)]
        }
        fields["difficulty"] = .number(Double(row.difficulty))
        if lineage {
            fields["source_line"] = .number(Double(row.sourceLine))
            if let sourceID = row.sourceID { fields["source_id"] = .string(sourceID) }
            fields["rounds"] = try row.lineageJSON.map { try JSONValue.parse($0) } ?? .array([])
        }
        return .object(fields)
    }
}
