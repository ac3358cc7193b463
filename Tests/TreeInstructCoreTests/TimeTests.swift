import Dispatch
import Testing
import TreeInstructCore

/// The two ways a stopping process refuses to wait forever.
@Suite("Deadlines and abandoning")
struct TimeTests {
    /// An operation that ignores cancellation: it ends only when its timer fires.
    static func deaf(_ duration: Duration) async -> Int {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().asyncAfter(deadline: .now() + duration.inSeconds) { continuation.resume(returning: 7) }
        }
    }

    @Test func aCancelledCallerLeavesAnOperationThatDoesNotListen() async throws {
        let started = ContinuousClock.now
        let caller = Task { try await abandoningOnCancel { await Self.deaf(.seconds(30)) } }
        try await Task.sleep(for: .milliseconds(50))
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
        #expect(ContinuousClock.now - started < .seconds(20), "not the 30 s of the operation")
    }

    @Test func anOperationThatEndsGivesItsResult() async throws {
        #expect(try await abandoningOnCancel { await Self.deaf(.milliseconds(10)) } == 7)
        await #expect(throws: DeadlinePassed.self) {
            try await withDeadline(.milliseconds(50)) { try await abandoningOnCancel { await Self.deaf(.seconds(3)) } }
        }
    }
}
