import EndpointSimulator
import Foundation
import Logging
import PostgresNIO
import PostgresTestSupport
import TaskStore
import Testing
import TreeInstructCore

/// Endpoint trouble against real worker processes: an endpoint that goes away and comes back
/// costs no attempt; a spent quota stops every worker with a message.
@Suite("Endpoint trouble", .serialized, .enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
struct EndpointTroubleTests {
    static let quiet = Logger(label: "trouble", factory: { _ in SwiftLogNoOpLogHandler() })

    static func seeded(rows: Int) async throws -> Database {
        let database = try await TestPostgres.database()
        let run = try await database.queue.runs.createOrFindRun(
            name: "trouble", config: RunConfig(rounds: 1, respond: false, model: "treeinstruct-simulator", maxAttempts: 3))
        let records = (1...rows).map {
            InstructionRecord(instruction: "Describe the history of the city number \($0) in Europe.", input: "", line: $0)
        }
        _ = try await database.queue.runs.insertShard(records, sourceFile: "corpus.jsonl", run: run)
        return database
    }

    static func count(_ database: Database, _ sql: String) async throws -> Int {
        try await EndToEndTests.count(database, sql)
    }

    /// A port of 127.0.0.1 between 20000 and 32767 that is free now; no other test asks for one.
    static func portBelowEphemeralRange() throws -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: 20_000..<32_768)
            if let descriptor = try? reserve(port: port) {
                close(descriptor)
                return port
            }
        }
        throw POSIXError(.EADDRINUSE)
    }

    /// A socket bound to 127.0.0.1:`port` and not listening: connections are refused, and no
    /// other server can take the port meanwhile. The caller closes it.
    static func reserve(port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard descriptor >= 0, bound == 0 else {
            close(descriptor)
            throw POSIXError(.EADDRINUSE)
        }
        return descriptor
    }

    /// The endpoint's port closes (connection refused) part-way and opens again later: every
    /// task succeeds, each with one attempt, and the workers said what happened.
    @Test func anEndpointThatGoesAwayCostsNoAttempt() async throws {
        let database = try await Self.seeded(rows: 240)
        let latency = LatencyProfile(milliseconds: 100, jitterMilliseconds: 20)
        // The port comes from below Linux's ephemeral range (32768-60999): the kernel hands those
        // out to other tests' servers (port 0) and to every outgoing connection, and one of them
        // took this port during the outage once (EADDRINUSE on reserving or reopening it).
        let fixedPort = try Self.portBelowEphemeralRange()
        let (port, workers) = try await SimulatorServer.withRunning(SimulatorConfiguration(port: fixedPort, latency: latency), logger: Self.quiet) {
            baseURL in
            let workers = try (0..<2).map { _ in
                try WorkerProcess(
                    settings: database.settings, schema: database.schema, baseURL: baseURL,
                    arguments: ["--concurrency", "4", "--exit-when-done", "--probe-interval", "1", "--connect-timeout", "1"])
            }
            let deadline = ContinuousClock.now + .seconds(30)
            while try await Self.count(database, "SELECT count(*) FROM $schema.tasks WHERE state = 'succeeded'") < 40,
                ContinuousClock.now < deadline
            {
                try await Task.sleep(for: .milliseconds(20))
            }
            return (Int(baseURL.split(separator: ":").last!.split(separator: "/").first!)!, workers)
        }
        // Down: nothing listens on the port, which a bound socket keeps from other tests until
        // the endpoint comes back. (The HTTP client retries a refused connection until the
        // connect timeout, 1 s here, before it fails the call.) Patient: a loaded machine takes
        // longer to count the faults; the wait ends once the endpoint is marked down.
        // The stopped simulator's accepted connections hold the port a moment longer (a bind
        // fails while any of them is open, SO_REUSEADDR or not): taken as soon as they are gone.
        var holder = try? Self.reserve(port: port)
        let freed = ContinuousClock.now + .seconds(20)
        while holder == nil, ContinuousClock.now < freed {
            try await Task.sleep(for: .milliseconds(50))
            holder = try? Self.reserve(port: port)
        }
        let reserved = try #require(holder, "the port stayed in use 20 s after the simulator stopped")
        let deadline = ContinuousClock.now + .seconds(60)
        while try await Self.count(database, "SELECT count(*) FROM $schema.endpoint_health WHERE state = 'down'") == 0,
            ContinuousClock.now < deadline
        {
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .seconds(2))
        #expect(try await Self.count(database, "SELECT count(*) FROM $schema.endpoint_health WHERE state = 'down'") == 1)
        let open = try await Self.count(database, "SELECT count(*) FROM $schema.tasks WHERE state IN ('pending', 'running')")
        #expect(open > 0, "the outage began before the run ended")
        close(reserved)
        try await SimulatorServer.withRunning(SimulatorConfiguration(port: port, latency: latency), logger: Self.quiet) { _ in
            for worker in workers {
                let status = await worker.wait(seconds: 60)
                #expect(status == 0, "worker log: \(worker.log.suffix(2000))")
            }
        }
        #expect(try await Self.count(database, "SELECT count(*) FROM $schema.tasks WHERE state = 'succeeded'") == 240)
        #expect(try await Self.count(database, "SELECT count(*) FROM $schema.tasks WHERE attempts <> 1") == 0, "attempts are real answers only")
        #expect(try await Self.count(database, "SELECT count(*) FROM $schema.endpoint_health WHERE state = 'up'") == 1)
        let logs = workers.map(\.log).joined()
        #expect(logs.contains("endpoint down since"), "\(logs.suffix(3000))")
        #expect(logs.contains("probing every 1 s"))
        #expect(logs.contains("endpoint answering again"))
    }

    /// Every call answered 429 insufficient_quota: both workers stop within 10 s, exit 69, say
    /// what to do, and no task used an attempt.
    @Test func aSpentQuotaStopsEveryWorker() async throws {
        let database = try await Self.seeded(rows: 100)
        let configuration = SimulatorConfiguration(port: 0, faults: FaultProfile(quotaExhausted: true))
        try await SimulatorServer.withRunning(configuration, logger: Self.quiet) { baseURL in
            let started = ContinuousClock.now
            let workers = try (0..<2).map { _ in
                try WorkerProcess(
                    settings: database.settings, schema: database.schema, baseURL: baseURL, arguments: ["--concurrency", "4"])
            }
            for worker in workers {
                let status = await worker.wait(seconds: 10)
                #expect(status == 69, "worker log: \(worker.log.suffix(2000))")
                #expect(worker.log.contains("quota is spent"), "\(worker.log.suffix(2000))")
                #expect(worker.log.contains("add credit or raise the limit"))
            }
            #expect(ContinuousClock.now - started < .seconds(10))
        }
        #expect(try await Self.count(database, "SELECT coalesce(sum(attempts), 0)::int8 FROM $schema.tasks") == 0)
        #expect(try await Self.count(database, "SELECT count(*) FROM $schema.tasks WHERE state <> 'pending'") == 0)
        #expect(try await Self.count(database, "SELECT count(*) FROM $schema.attempts WHERE code = 'quota_exhausted'") >= 1)
    }
}
