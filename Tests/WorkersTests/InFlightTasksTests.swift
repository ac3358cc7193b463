import Foundation
import TreeInstructCore
import Testing
@testable import Workers

/// The claim loop's accounting: a slot is an LLM call, a task being written holds none, and a
/// worker never holds more than twice its capacity.
@Suite("In-flight tasks")
struct InFlightTasksTests {
    static func task(_ id: Int64) -> ClaimedTask {
        ClaimedTask(
            id: id, runID: 1, shardID: 1, stage: .rewrite, round: 1, stagesLeft: 1, instruction: "Say hi.", input: "",
            sourceLine: Int(id), attempt: 1, maxAttempts: 6, leaseToken: id, claimedAt: Date())
    }

    @Test func aTaskBeingWrittenFreesItsSlotButHeldTasksStayUnderTwiceTheCapacity() async {
        let inFlight = InFlightTasks(capacity: 2)
        let (a, b, c, d) = (Self.task(1), Self.task(2), Self.task(3), Self.task(4))
        await inFlight.add(a)
        await inFlight.add(b)
        #expect(await inFlight.free == 0)
        await inFlight.callReturned(a)
        #expect(await inFlight.free == 1, "a's call returned: its slot is free while its outcome is written")
        await inFlight.callReturned(a)
        #expect(await inFlight.free == 1, "a second report for the same task changes nothing")
        await inFlight.add(c)
        await inFlight.callReturned(b)
        await inFlight.callReturned(c)
        #expect(await inFlight.free == 1, "three held, all being written: one more keeps the total at four")
        await inFlight.add(d)
        #expect(await inFlight.free == 0, "four held is twice the capacity, though only one call is open")
        await inFlight.remove(a)
        #expect(await inFlight.free == 1)
        #expect(await inFlight.count == 3)
        await inFlight.callReturned(Self.task(99))
        #expect(await inFlight.free == 1, "a task not held is ignored")
    }

    @Test func theClaimLoopWakesWhenASlotFrees() async {
        let inFlight = InFlightTasks(capacity: 1)
        let a = Self.task(1)
        await inFlight.add(a)
        let waiter = Task {
            await inFlight.waitForSlot(); return await inFlight.free
        }
        try? await Task.sleep(for: .milliseconds(50))
        await inFlight.callReturned(a)
        #expect(await waiter.value == 1)
    }

    @Test func stoppingLeavesNoRoom() async {
        let inFlight = InFlightTasks(capacity: 4)
        await inFlight.stop()
        await inFlight.waitForSlot()
        #expect(await inFlight.free == 0)
        #expect(await inFlight.stopping)
    }

    @Test func onlyTasksWaitingOnTheirCallCanLoseALease() async {
        let inFlight = InFlightTasks(capacity: 4)
        let (a, b) = (Self.task(1), Self.task(2))
        await inFlight.add(a)
        await inFlight.add(b)
        await inFlight.callReturned(a)
        #expect(await inFlight.awaitingCall.map(\.id) == [2], "a's outcome is being written: a heartbeat missing it lost nothing")
        #expect(Set(await inFlight.all.map(\.id)) == [1, 2], "both are still released on shutdown")
    }

    @Test func waitingForRoomAsksAtMostHalfTheSlots() async {
        // Four slots, all free: a claim batch of 32 would never fit, so waiting for 32 free
        // would wait out the patience (a minute here) before every claim.
        let inFlight = InFlightTasks(capacity: 4)
        let started = ContinuousClock.now
        await inFlight.waitForRoom(minimum: 32, patience: .seconds(60))
        #expect(ContinuousClock.now - started < .seconds(30), "half the slots free is room enough")
        // Three of four held: one free is less than half, so it waits, and a freed slot ends the wait.
        for id: Int64 in 1...3 { await inFlight.add(Self.task(id)) }
        let waiter = Task { await inFlight.waitForRoom(minimum: 32, patience: .seconds(60)) }
        try? await Task.sleep(for: .milliseconds(50))
        await inFlight.remove(Self.task(1))
        await waiter.value
        #expect(await inFlight.free == 2)
    }

    @Test func aWaitForRoomEndsAtItsPatienceOrWhenTheWorkerStops() async {
        let inFlight = InFlightTasks(capacity: 4)
        for id: Int64 in 1...3 { await inFlight.add(Self.task(id)) }
        let started = ContinuousClock.now
        await inFlight.waitForRoom(minimum: 32, patience: .milliseconds(100))
        #expect(ContinuousClock.now - started >= .milliseconds(100), "one slot free of the two it waits for: it waits out its patience")
        #expect(await inFlight.free == 1, "and then claims what there is")
        let waiter = Task { await inFlight.waitForRoom(minimum: 32, patience: .seconds(60)) }
        try? await Task.sleep(for: .milliseconds(50))
        await inFlight.stop()
        let stopping = ContinuousClock.now
        await waiter.value
        #expect(ContinuousClock.now - stopping < .seconds(30), "stopping ends the wait, not the patience")
    }
}
