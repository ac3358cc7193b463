import Foundation
import TreeInstructCore

/// Carries a once-only input (standard input, a pipe, a FIFO) from the format check to the
/// read: `resolvedFormat()` peeks at its head, and the iterator later takes the input with
/// that head still to replay. Copies of one CorpusFile share it. Regular files never stay
/// here: each use reopens them.
final class StreamHandoff: @unchecked Sendable {  // state guarded by lock
    private enum State {
        case fresh
        case peeked(ByteInput, CorpusProbe)
        case refused(CorpusError)
        case consumed(CorpusProbe)
    }

    private let lock = NSLock()
    private var state = State.fresh

    /// The probe, opening and peeking at the input if nothing has yet.
    func probe(open: () throws(CorpusError) -> ByteInput, judge: (ByteInput) throws(CorpusError) -> CorpusProbe) throws(CorpusError) -> CorpusProbe {
        lock.lock()
        defer { lock.unlock() }
        switch state {
        case .peeked(_, let probe), .consumed(let probe): return probe
        case .refused(let error): throw error
        case .fresh:
            let input = try open()
            do throws(CorpusError) {
                let probe = try judge(input)
                if input.isOnceOnly { state = .peeked(input, probe) }
                return probe
            } catch {
                if input.isOnceOnly { state = .refused(error) }
                throw error
            }
        }
    }

    /// The input to read from its start, with its probe. A once-only input is handed out once.
    func take(
        open: () throws(CorpusError) -> ByteInput, judge: (ByteInput) throws(CorpusError) -> CorpusProbe,
        alreadyRead: CorpusError
    ) throws(CorpusError) -> (ByteInput, CorpusProbe) {
        lock.lock()
        defer { lock.unlock() }
        switch state {
        case .peeked(let input, let probe):
            state = .consumed(probe)
            return (input, probe)
        case .consumed: throw alreadyRead
        case .refused(let error): throw error
        case .fresh:
            let input = try open()
            do throws(CorpusError) {
                let probe = try judge(input)
                if input.isOnceOnly { state = .consumed(probe) }
                return (input, probe)
            } catch {
                if input.isOnceOnly { state = .refused(error) }
                throw error
            }
        }
    }
}
