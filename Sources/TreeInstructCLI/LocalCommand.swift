import ArgumentParser
import Coordinator
import CorpusIngest
import EmbeddedPostgres
import EndpointSimulator
import Foundation
import LLMClient
import Logging
import RateLimiting
import ServiceLifecycle
import TaskStore
import TreeInstructCore
import Wiring
import Workers

/// The whole job on one machine: a private PostgreSQL (unless DATABASE_URL or PGHOST is set),
/// migrate, submit, N workers, export, stop. Running it again resumes the same run: the
/// corpus de-duplicates against what is stored, and only unfinished tasks are worked on.
struct LocalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "local",
        abstract: "Run the whole job on this machine: private PostgreSQL, workers, export."
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var method: MethodOptions
    @OptionGroup var endpoint: EndpointOptions
    @Option(name: .long, help: "Corpus file to rewrite: JSONL, JSON array or text, plain, gzip or zstd.") var corpus: String
    @Option(name: .long, help: "Run name (default: the corpus file's name without its extensions).") var run: String?
    @Option(name: .long, help: "Corpus format (detected when omitted).") var format: CorpusFormat?
    @Option(
        name: .long, parsing: .unconditional,
        help: "Worker loops in this process, \(Self.workersRange) (default 1; one loop keeps any number of calls in flight).")
    var workers: Int = 1
    @OptionGroup var concurrency: ConcurrencyOptions
    @Option(name: .long, help: "Private PostgreSQL data directory (default .treeinstruct/pgdata).") var dataDir: String = ".treeinstruct/pgdata"
    @Option(name: .long, help: "Dataset to write (default <run>.<format>.jsonl).") var output: String?
    @Option(name: .long, help: "Dataset layout: alpaca or sharegpt.") var exportFormat: ExportFormat = .alpaca
    @OptionGroup var rows: ExportSelectionOptions
    @Flag(help: "Dry run against the built-in endpoint simulator (no model, no cost).") var simulate = false
    @Option(name: .long, parsing: .unconditional, help: "Simulator latency in milliseconds, with --simulate, \(Self.latencyRange) (default 50).")
    var simulatedLatencyMs: Int = 50

    static let workersRange = 1...64
    /// One machine's server is usually a small one: find out how much it takes.
    static let defaultConcurrency = "auto"
    static let latencyRange = 0...600_000

    /// The corpus file's name without directory, compression and format extensions
    /// (`data/seed.jsonl.gz` gives `seed`).
    static func defaultRunName(_ corpus: String) -> String {
        var url = URL(fileURLWithPath: corpus)
        if ["gz", "gzip", "zst", "zstd"].contains(url.pathExtension.lowercased()) { url = url.deletingPathExtension() }
        return url.deletingPathExtension().lastPathComponent
    }

    func run() async throws {
        // Every option is checked before the private database starts or anything is written.
        let logger = try database.logger("treeinstruct.local")
        let config = try method.config()
        guard run != nil || corpus != "-" else { throw UsageError("--run is required when the corpus is standard input") }
        let runName = run ?? Self.defaultRunName(corpus)
        try Check.runName(run == nil ? "the run name taken from --corpus" : "--run", runName)
        try Check.range("--workers", workers, Self.workersRange)
        _ = try concurrency.resolve(default: Self.defaultConcurrency)
        _ = try rows.selection()
        try Check.range("--simulated-latency-ms", simulatedLatencyMs, Self.latencyRange)
        let limits = try endpoint.limits()
        let health = try endpoint.healthPolicy(key: "local")
        let realEndpoint = simulate ? nil : try endpoint.endpointIfConfigured()
        guard simulate || realEndpoint != nil else {
            throw UsageError("no endpoint: set OPENAI_BASE_URL (and OPENAI_API_KEY), or pass --simulate for a dry run")
        }
        // Checked before any work, so an unusable path is found now, not after the run.
        let outputTarget = try OutputTarget.resolve(output ?? "\(runName).\(exportFormat.rawValue).jsonl")
        let file = try CorpusOptions.open(corpus, format: format)

        let environment = Environment.values
        let usesOwnServer = environment["DATABASE_URL"] == nil && environment["DATABASE_URL_FILE"] == nil && environment["PGHOST"] == nil
        guard usesOwnServer else {
            let settings = try database.settings { logger.warning("\($0)") }
            return try await run(
                settings: settings, file: file, runName: runName, config: config, limits: limits, health: health,
                output: outputTarget, endpoint: realEndpoint, logger: logger)
        }
        let server = EmbeddedPostgres(dataDirectory: dataDir)
        let started = try await server.started()
        print("PostgreSQL running privately in \(server.dataDirectory) on 127.0.0.1:\(started.port)")
        let settings = DatabaseSettings(
            host: started.host, port: started.port, user: started.user, password: started.password,
            database: started.database, sslMode: .disable)
        // The private server stops however the job ends.
        let failure: (any Error)?
        do {
            try await run(
                settings: settings, file: file, runName: runName, config: config, limits: limits, health: health,
                output: outputTarget, endpoint: realEndpoint, logger: logger)
            failure = nil
        } catch {
            failure = error
        }
        do { try await server.stopped() } catch { logger.error("could not stop PostgreSQL: \(error)") }
        if let failure { throw failure }
    }

    /// The job against `settings`, with the real endpoint or, without one, the simulator.
    private func run(
        settings: DatabaseSettings, file: CorpusFile, runName: String, config: RunConfig, limits: RateLimiting.RateLimits,
        health: EndpointHealthPolicy,
        output: OutputTarget, endpoint realEndpoint: EndpointConfiguration?, logger: Logger
    ) async throws {
        let concurrencySetting = try concurrency.resolve(default: Self.defaultConcurrency)
        let job = LocalJob(
            settings: settings, schema: database.schemaName, file: file, runName: runName, config: config,
            workers: workers, concurrency: concurrencySetting, limits: limits, health: health, output: output,
            exportFormat: exportFormat, exportSelection: try rows.selection(), statementTimeout: try database.statementTimeout(), logger: logger)
        if let realEndpoint {
            try await job.run(endpoint: realEndpoint)
        } else {
            var simulator = SimulatorConfiguration(port: 0)
            simulator.latency = LatencyProfile(milliseconds: simulatedLatencyMs, jitterMilliseconds: simulatedLatencyMs / 2)
            print("dry run: answering with the TreeInstruct endpoint simulator (not a model)")
            try await SimulatorServer.withRunning(simulator, logger: Logger(label: "treeinstruct.sim", factory: { _ in SwiftLogNoOpLogHandler() })) {
                baseURL in
                try await job.run(endpoint: EndpointConfiguration(baseURL: baseURL))
            }
        }
    }
}

/// Migrate, submit, work until done (or SIGINT/SIGTERM), export.
struct LocalJob: Sendable {
    let settings: DatabaseSettings
    let schema: String
    let file: CorpusFile
    let runName: String
    let config: RunConfig
    let workers: Int
    let concurrency: (limit: Int, adaptive: Bool)
    let limits: RateLimiting.RateLimits
    let health: EndpointHealthPolicy
    let output: OutputTarget
    let exportFormat: ExportFormat
    let exportSelection: ExportSelection
    let statementTimeout: Duration
    let logger: Logger

    func run(endpoint: EndpointConfiguration) async throws {
        let database = try Database(
            settings: settings, schema: schema, maxConnections: max(10, workers * 4), statementTimeout: statementTimeout, logger: logger)
        let client = ChatClient(endpoint: endpoint, dialectMemory: database.queue.health, logger: logger)
        let pipeline = LocalPipeline(job: self, database: database, client: client)
        try await WorkerAssembly.run(
            [.init(service: database.client), .init(service: pipeline, successTerminationBehavior: .gracefullyShutdownGroup)],
            client: client, logger: logger)
    }
}

/// The local job's steps, as one service beside the database pool.
struct LocalPipeline: Service {
    let job: LocalJob
    let database: Database
    let client: ChatClient

    func run() async throws {
        try await database.checkConnection()
        try await Migrator(database: database).migrate()
        let summary = try await Submission(queue: database.queue).submit(job.file, runName: job.runName, config: job.config)
        print(try await LocalProgress.resumeLine(summary, queue: database.queue) ?? SubmitCommand.describe(summary, json: false))
        let limiter = try await WorkerAssembly.limiter(scope: .local, key: "local", limits: job.limits, queue: database.queue, logger: job.logger)
        try await WorkerAssembly.drawing(on: limiter) {
            try await withThrowingTaskGroup(of: Void.self) { beside in
                // The progress line runs beside the workers and stops with them.
                beside.addTask { await LocalProgress(queue: database.queue, runName: job.runName).run() }
                defer { beside.cancelAll() }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<max(1, job.workers) {
                        var configuration = WorkerConfiguration(
                            lease: .seconds(60), grace: .seconds(10),
                            idle: .milliseconds(200), runIDs: [summary.runID], exitWhenDone: true, endpoint: job.health)
                        configuration.apply(job.concurrency)
                        group.addTask {
                            try await WorkerAssembly.worker(
                                configuration, queue: database.queue, client: client, limiter: limiter,
                                logger: job.logger
                            ).run()
                        }
                    }
                    try await group.waitForAll()
                }
            }
        }
        print(
            StatusView.text(try await StatusSnapshot.read(database.queue, run: job.runName, shards: false), StatusView.Prices(), browserHint: false))
        guard try await database.queue.progress.openTaskCount(runIDs: [summary.runID]) == 0 else {
            print("stopped before the end; run the same command again to resume")
            return
        }
        let rows = try await job.output.write { output in
            try await Export(queue: database.queue, format: job.exportFormat, selection: job.exportSelection).write(runID: summary.runID, to: output)
        }
        print("wrote \(rows) rows to \(job.output.shownPath)")
    }
}
