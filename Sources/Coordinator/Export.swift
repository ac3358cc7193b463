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

/// Writes a run's finished rows as JSON Lines, streaming from the database to the output with
/// a small buffer, so a run of any size exports in constant memory.
public struct Export: Sendable {
    public var queue: QueueSchema
    public var format: ExportFormat
    public var order: ExportOrder
    public var lineage: Bool

    public init(queue: QueueSchema, format: ExportFormat, order: ExportOrder = .source, lineage: Bool = false) {
        self.queue = queue
        self.format = format
        self.order = order
        self.lineage = lineage
    }

    /// Writes every finished row of `runID` to `output`; returns how many rows were written.
    @discardableResult
    public func write(runID: Int64, to output: FileHandle) async throws -> Int {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var buffer = Data()
        var count = 0
        try await queue.results.exportRows(runID: runID, order: order, lineage: lineage) { row in
            buffer.append(try encoder.encode(record(for: row)))
            buffer.append(0x0A)
            count += 1
            if buffer.count >= 1 << 16 {
                try output.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try output.write(contentsOf: buffer)
        return count
    }

    func record(for row: ExportRow) throws -> JSONValue {
        var fields: [String: JSONValue]
        switch format {
        case .alpaca:
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
