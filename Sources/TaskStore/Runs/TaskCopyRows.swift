import NIOCore
import TreeInstructCore

/// First-round tasks written as COPY's text format: one line per task, tab-separated, `\N` for
/// NULL, and a backslash before each tab, new line, carriage return and backslash in a value.
/// The texts go through as their UTF-8 bytes (a record's text holds no NUL: the reader refuses
/// those), so no per-value binding or array parsing is left for either side.
struct TaskCopyRows {
    /// The columns each line holds, in order.
    static let columns = [
        "run_id", "shard_id", "content_hash", "stage", "round", "stages_left", "source_line", "source_id",
        "instruction", "input", "reference_output", "max_attempts",
    ]

    private(set) var buffer: ByteBuffer

    init(capacity: Int) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    mutating func append(_ record: InstructionRecord, hash: ContentHash, runID: Int64, shardID: Int64, config: RunConfig) {
        number(runID)
        number(shardID)
        buffer.writeStaticString("\\\\x")  // bytea's hex form; its backslash escaped for COPY
        hex(hash.bytes)
        buffer.writeStaticString("\trewrite\t1\t")
        number(Int64(config.stagesPerRow))
        number(Int64(record.line))
        optional(record.sourceID.flatMap { $0.isEmpty ? nil : $0 })
        text(record.instruction)
        buffer.writeInteger(UInt8(ascii: "\t"))
        text(record.input)
        buffer.writeInteger(UInt8(ascii: "\t"))
        optional(record.referenceOutput.flatMap { $0.isEmpty ? nil : $0 })
        digits(Int64(config.maxAttempts))
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    /// `value` in decimal, then a tab.
    private mutating func number(_ value: Int64) {
        digits(value)
        buffer.writeInteger(UInt8(ascii: "\t"))
    }

    private mutating func digits(_ value: Int64) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 20) { out in
            // Back to front at the end of the 20 bytes, then moved to their start.
            var (magnitude, count) = (value.magnitude, 0)
            repeat {
                count += 1
                out[20 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            let sign = value < 0 ? 1 : 0
            if sign == 1 { out[0] = UInt8(ascii: "-") }
            for index in 0..<count { out[sign + index] = out[20 - count + index] }
            return sign + count
        }
    }

    private mutating func optional(_ value: String?) {
        if let value { text(value) } else { buffer.writeStaticString("\\N") }
        buffer.writeInteger(UInt8(ascii: "\t"))
    }

    private mutating func hex(_ bytes: [UInt8]) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: bytes.count * 2) { out in
            for (index, byte) in bytes.enumerated() {
                out[2 * index] = Self.hexDigit(byte >> 4)
                out[2 * index + 1] = Self.hexDigit(byte & 0x0F)
            }
            return bytes.count * 2
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    /// A text value: copied whole when nothing in it needs a backslash (the usual case).
    private mutating func text(_ value: String) {
        var value = value
        value.withUTF8 { bytes in
            guard bytes.contains(where: Self.needsEscape) else {
                buffer.writeBytes(bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
                case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
                case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
                default: buffer.writeInteger(byte)
                }
            }
        }
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }
}
