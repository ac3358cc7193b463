import Logging
import Synchronization
import Testing
@testable import Workers

/// What a worker's log says while it works: a summary line each interval and one at the stop,
/// with the counts of what its calls came to.
@Suite("Worker summaries")
struct WorkerSummaryTests {
    final class Messages: Sendable {
        let lines = Mutex<[String]>([])
    }

    /// Keeps every message logged through it.
    struct CapturingHandler: LogHandler {
        let messages: Messages
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(
            level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String,
            line: UInt
        ) {
            messages.lines.withLock { $0.append("\(message)") }
        }
    }

    @Test func theLineCountsWhatTheCallsCameTo() {
        var counts = WorkerTally.Counts()
        counts.accepted = 30
        counts.rejected = ["too_short": 5, "leaked_procedure": 2, "unchanged": 2, "too_long": 1]
        counts.errors = ["http_503": 3]
        counts.throttled = 1
        let line = WorkerTally.line(counts, over: 60)
        #expect(line == "accepted 30 (30.0/min), rejected 10 (too_short 5, leaked_procedure 2, unchanged 2, …), errors 3 (http_503 3), 429s 1")
        let tally = WorkerTally()
        tally.accepted()
        tally.rejected(code: "too_short")
        let (first, total) = tally.take()
        #expect(first.accepted == 1 && first.rejectedTotal == 1 && total == 1)
        tally.accepted()
        let (second, totalAfter) = tally.take()
        #expect(second.accepted == 1 && second.rejectedTotal == 0, "each line counts since the last")
        #expect(totalAfter == 2)
    }

    @Test func aWorkerLogsSummariesAndOneAtTheStop() async throws {
        let fixture = try await WorkerFixture.make(rows: 40)
        let messages = Messages()
        let logger = Logger(label: "summaries", factory: { _ in CapturingHandler(messages: messages) })
        let chat = ScriptedChat(latency: .milliseconds(20))
        try await fixture.worker(chat, concurrency: 2, summaryEvery: .milliseconds(150), logger: logger).run()
        let summaries = messages.lines.withLock { $0 }.filter { $0.hasPrefix("accepted ") }
        #expect(summaries.count >= 2, "\(summaries)")
        #expect(summaries.last?.hasSuffix("accepted since start 40") == true, "\(summaries.last ?? "none")")
        #expect(summaries.allSatisfy { $0.contains("endpoint up") && $0.contains("concurrency 2") })
    }
}
