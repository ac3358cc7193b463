import CorpusIngest
import TreeInstructCore

/// Opening a corpus the same way in `submit`, `local` and `inspect`: checked before any
/// database is touched, so a missing, binary or unreadable file writes nothing.
enum CorpusOptions {
    static let maxRecordBytesRange = 1...(1 << 30)

    static func open(_ path: String, format: CorpusFormat?, maxRecordBytes: Int = CorpusDecoder.defaultMaxRecordBytes) throws -> CorpusFile {
        try Check.range("--max-record-bytes", maxRecordBytes, maxRecordBytesRange)
        let file = CorpusFile(path: path, format: format, maxRecordBytes: maxRecordBytes)
        _ = try file.resolvedFormat()
        return file
    }
}
