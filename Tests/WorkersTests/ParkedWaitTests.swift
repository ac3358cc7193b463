import Testing

@testable import Workers

/// An actor waiting the way the claim loop and the completion batcher do.
private actor Parking {
    private var parked: CheckedContinuation<Void, Never>?

    /// Waits until `wake()` or `patience`; returns how long it waited.
    func wait(patience: Duration) async -> Duration {
        let began = ContinuousClock.now
        await parkedWait(
            until: began + patience,
            park: { continuation in
                // The actor's state is written here: off the actor this would race with `wake()`.
                self.preconditionIsolated("parkedWait runs park on the calling actor")
                parked = continuation
            },
            expire: { await self.wake() })
        return .now - began
    }

    func wake() {
        parked?.resume()
        parked = nil
    }

    var isParked: Bool { parked != nil }
}

@Suite("A parked wait")
struct ParkedWaitTests {
    @Test func parksOnTheCallingActorAndEndsAtItsDeadline() async {
        let waited = await Parking().wait(patience: .milliseconds(30))
        #expect(waited >= .milliseconds(30))
        #expect(waited < .seconds(5))
    }

    @Test func aWakeEndsItBeforeTheDeadline() async throws {
        let parking = Parking()
        async let waited = parking.wait(patience: .seconds(30))
        while await !parking.isParked { try await Task.sleep(for: .milliseconds(1)) }
        await parking.wake()
        #expect(await waited < .seconds(5))
    }

    @Test func cancellingTheWaiterEndsIt() async {
        let parking = Parking()
        let waiting = Task { await parking.wait(patience: .seconds(30)) }
        while await !parking.isParked { try? await Task.sleep(for: .milliseconds(1)) }
        waiting.cancel()
        #expect(await waiting.value < .seconds(5))
    }
}
