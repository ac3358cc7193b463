/// The raw bytes of one record as a splitter cut them from a file, before any decoding.
public enum RecordPiece: Sendable, Hashable {
    /// A record's bytes (without line terminator) and the line it starts on.
    case record([UInt8], line: Int)
    /// A record longer than the limit; its bytes were skipped, not kept.
    case oversized(line: Int, bytes: Int)
    /// The file's structure is broken here (a JSON array splitter's complaint).
    case malformed(line: Int, message: String)
}

/// Cuts a stream of bytes into records without holding more than one record in memory.
public protocol RecordSplitter: Sendable {
    mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>, emit: (RecordPiece) throws -> Void) rethrows
    mutating func finish(emit: (RecordPiece) throws -> Void) rethrows
}
