import Foundation
import Testing
import TreeInstructCore
@testable import Workers

/// Endpoint trouble costs no task an attempt: the cluster holds a failing endpoint down, probes
/// it at a bounded pace and resumes when it answers; a spent quota stops (or pauses) every worker.
/// Real PostgreSQL, the worker core in process, a scripted endpoint.
@Suite("Endpoint health")
struct EndpointHealthTests {
    static let refused = LLMError(kind: .connection, message: "connection refused", beforeAnyByte: true)
    static let unavailable = LLMError(kind: .serverError, httpStatus: 503, message: "overloaded")
    static let quota = LLMError(kind: .quotaExhausted, httpStatus: 429, message: "You exceeded your current quota")

    @Test func anOutageCostsNoAttemptAndProbesAtABoundedPace() async throws {
        let fixture = try await WorkerFixture.make(rows: 30)
        let chat = ScriptedChat()
        chat.outage.withLock { $0 = Self.refused }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await fixture.worker(chat, concurrency: 4).run() }
            #expect(try await fixture.waitUntil("SELECT count(*) FROM $schema.endpoint_health WHERE state = 'down'", is: 1))
            let callsWhenDown = chat.snapshot.calls
            try await Task.sleep(for: .seconds(1))
            let probes = chat.snapshot.calls - callsWhenDown
            #expect(probes <= 4 + 7, "the calls in flight, then one probe per 200 ms: \(probes)")
            chat.outage.withLock { $0 = nil }
            try await group.waitForAll()
        }
        #expect(try await fixture.count("SELECT count(*) FROM $schema.tasks WHERE state = 'succeeded'") == 30)
        #expect(try await fixture.count("SELECT count(*) FROM $schema.tasks WHERE attempts <> 1") == 0, "attempts are real answers only")
        #expect(try await fixture.count("SELECT count(*) FROM $schema.attempts WHERE code = 'connection'") >= 5, "each refusal is on record")
        #expect(try await fixture.count("SELECT count(*) FROM $schema.endpoint_health WHERE state = 'up' AND faults = 0") == 1)
    }

    @Test func aBurstOf5xxUsesAttemptsOnlyUntilTheEndpointIsDown() async throws {
        // Three attempts per task, and the burst lasts far longer than three backoffs.
        let fixture = try await WorkerFixture.make(rows: 20)
        let chat = ScriptedChat()
        chat.outage.withLock { $0 = Self.unavailable }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await fixture.worker(chat, concurrency: 4).run() }
            #expect(try await fixture.waitUntil("SELECT count(*) FROM $schema.endpoint_health WHERE state = 'down'", is: 1))
            try await Task.sleep(for: .seconds(1))
            chat.outage.withLock { $0 = nil }
            try await group.waitForAll()
        }
        #expect(try await fixture.count("SELECT count(*) FROM $schema.tasks WHERE state = 'succeeded'") == 20)
        let extra = try await fixture.count("SELECT sum(attempts)::int8 - count(*) FROM $schema.tasks")
        #expect(extra <= 4, "only the faults before the fifth in a row count: \(extra)")
        #expect(try await fixture.count("SELECT count(*) FROM $schema.attempts WHERE code = 'http_503'") >= 5)
    }

    @Test func aSpentQuotaStopsEveryWorkerWithoutUsingAttempts() async throws {
        let fixture = try await WorkerFixture.make(rows: 200)
        let broke = ScriptedChat(latency: .milliseconds(50))
        broke.outage.withLock { $0 = Self.quota }
        // Slow enough that the healthy worker alone needs 10 s for the run, however late the other starts.
        let healthy = ScriptedChat(latency: .milliseconds(100))
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            // The healthy worker runs first (a worker that starts clears an earlier quota stop).
            group.addTask { try await fixture.worker(healthy, concurrency: 2).run() }
            let healthyIsWorking = try await fixture.waitUntil("SELECT least(count(*), 5) FROM $schema.tasks WHERE state = 'succeeded'", is: 5)
            #expect(healthyIsWorking)
            group.addTask { try await fixture.worker(broke, concurrency: 2).run() }
            for _ in 0..<2 {
                await #expect(throws: QuotaExhausted.self) { try await group.next() }
            }
        }
        // Both stop: the bound only tells a stop from a hang (the count below says the healthy one stopped early).
        #expect(ContinuousClock.now - started < .seconds(150))
        #expect(try await fixture.count("SELECT count(*) FROM $schema.tasks WHERE state IN ('failed', 'running')") == 0)
        let succeeded = try await fixture.count("SELECT count(*) FROM $schema.tasks WHERE state = 'succeeded'")
        #expect(succeeded < 200, "the healthy worker stopped too")
        #expect(try await fixture.count("SELECT sum(attempts)::int8 FROM $schema.tasks") == succeeded, "quota errors used no attempt")
        #expect(try await fixture.count("SELECT count(*) FROM $schema.attempts WHERE code = 'quota_exhausted'") >= 1)
        #expect(try await fixture.count("SELECT count(*) FROM $schema.endpoint_health WHERE state = 'quota'") == 1)
        // A worker started afterwards (someone paid) clears the stop and finishes the run.
        try await fixture.worker(ScriptedChat(latency: .milliseconds(5)), concurrency: 8).run()
        #expect(try await fixture.count("SELECT count(*) FROM $schema.tasks WHERE state = 'succeeded'") == 200)
    }

    @Test func withPauseTheWorkersWaitForTheQuotaAndResume() async throws {
        let fixture = try await WorkerFixture.make(rows: 20)
        let chat = ScriptedChat()
        chat.outage.withLock { $0 = Self.quota }
        let pause = EndpointHealthPolicy(quotaProbeEvery: .milliseconds(200), onQuota: .pause, refreshEvery: .milliseconds(50))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await fixture.worker(chat, concurrency: 4, endpoint: pause).run() }
            #expect(try await fixture.waitUntil("SELECT count(*) FROM $schema.endpoint_health WHERE state = 'quota'", is: 1))
            try await Task.sleep(for: .milliseconds(600))
            chat.outage.withLock { $0 = nil }
            try await group.waitForAll()
        }
        #expect(try await fixture.count("SELECT count(*) FROM $schema.tasks WHERE state = 'succeeded'") == 20)
        #expect(try await fixture.count("SELECT count(*) FROM $schema.tasks WHERE attempts <> 1") == 0)
    }
}
