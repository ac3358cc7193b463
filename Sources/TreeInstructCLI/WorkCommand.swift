import ArgumentParser
import LLMClient
import Logging
import Observability
import RateLimiting
import ServiceLifecycle
import TaskStore
import Wiring
import Workers

/// Runs one stateless worker until SIGTERM/SIGINT (or, with --exit-when-done, until no work is left).
struct WorkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "work", abstract: "Claim tasks and call the LLM endpoint until stopped.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var endpoint: EndpointOptions
    @OptionGroup var concurrency: ConcurrencyOptions
    @Option(name: .long, parsing: .unconditional, help: "Seconds a lease lasts unless renewed, \(Self.leaseRange) (default 60).") var leaseSeconds:
        Double = 60
    @Option(
        name: .long, parsing: .unconditional,
        help: "Seconds in-flight calls get to finish after SIGTERM, \(Self.graceRange) (env TREEINSTRUCT_GRACE, default 30).")
    var grace: Double?
    @Option(name: .customLong("run"), help: "Work only on this run (repeatable; default all runs).") var runs: [String] = []
    @Option(
        name: .long,
        help:
            "Name of the rate budget and endpoint health shared by workers using the same key (env TREEINSTRUCT_RATE_KEY, default the base URL without credentials or query)."
    )
    var rateKey: String?
    @Flag(help: "Stop when the runs have no pending or running task left, nor a batch still to apply.") var exitWhenDone = false
    @Option(
        name: .long, parsing: .unconditional,
        help: "Serve /metrics (Prometheus), /healthz and /readyz on this port (env TREEINSTRUCT_METRICS_PORT; off by default).")
    var metricsPort: Int?

    @Option(
        name: .long, parsing: .unconditional,
        help: "Requests per provider batch for batch-mode runs, \(Self.batchRequestsRange) (default 50000, OpenAI's limit).")
    var batchRequests: Int = BatchPolicy.providerRequestLimit
    @Option(
        name: .long, parsing: .unconditional,
        help: "Batches of this endpoint open at once, all workers together, \(Self.batchOpenRange) (default 10).")
    var batchMaxOpen: Int = 10
    @Option(name: .long, parsing: .unconditional, help: "Seconds between polls of each open batch, \(Self.batchPollRange) (default 60).")
    var batchPollSeconds: Double = 60

    @Option(
        name: .long, parsing: .unconditional,
        help:
            "Seconds a worker holds a job on a batch (packing, a poll, applying) before another may take it over, \(Self.batchJobRange) (default 600)."
    )
    var batchJobSeconds: Double = 600

    static let batchRequestsRange = 1...BatchPolicy.providerRequestLimit
    static let batchJobRange = 1.0...86_400
    static let batchOpenRange = 1...1000
    static let batchPollRange = 0.1...3600.0
    static let leaseRange = 1.0...86_400
    static let graceRange = 0.0...3600
    static let portRange = 1...65535

    func run() async throws {
        for name in runs { try Check.runName("--run", name) }
        try Check.range("--lease-seconds", leaseSeconds, Self.leaseRange)
        try Check.range("--batch-requests", batchRequests, Self.batchRequestsRange)
        try Check.range("--batch-max-open", batchMaxOpen, Self.batchOpenRange)
        try Check.range("--batch-poll-seconds", batchPollSeconds, Self.batchPollRange)
        try Check.range("--batch-job-seconds", batchJobSeconds, Self.batchJobRange)
        let logger = try database.logger("treeinstruct.worker")
        // Every setting is resolved and checked before the HTTP client exists: a client must be
        // shut down once created, and a bad option must end in one line, not a trap.
        let endpointConfiguration = try endpoint.endpoint()
        // The base URL without credentials or query: the key is stored and shown (endpoint_status).
        let sharedKey = Environment.string(rateKey, "TREEINSTRUCT_RATE_KEY", default: endpointConfiguration.publicName)!
        var configuration = WorkerConfiguration(
            lease: .seconds(leaseSeconds),
            grace: .seconds(try Environment.double(grace, "--grace", "TREEINSTRUCT_GRACE", default: 30, in: Self.graceRange)!),
            exitWhenDone: exitWhenDone)
        configuration.apply(try concurrency.resolve(default: "16"))
        configuration.endpoint = try endpoint.healthPolicy(key: sharedKey)
        configuration.batches = BatchPolicy(
            endpoint: sharedKey, requestsPerBatch: batchRequests, maxOpenBatches: batchMaxOpen, pollEvery: .seconds(batchPollSeconds),
            jobLease: .seconds(batchJobSeconds), idle: .seconds(min(5, batchPollSeconds)))
        let (scope, limits) = (try endpoint.scope(), try endpoint.limits())
        let port = try Environment.int(metricsPort, "--metrics-port", "TREEINSTRUCT_METRICS_PORT", in: Self.portRange)
        let db = try database.database(logger)
        let client = ChatClient(endpoint: endpointConfiguration, dialectMemory: db.queue.health, logger: logger)
        let readiness = Readiness()
        let service = WorkerService(
            database: db, client: client, scope: scope, limits: limits,
            rateKey: sharedKey,
            runNames: runs, configuration: configuration, readiness: readiness, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: db.client)]
        if let port {
            services.append(.init(service: MetricsEndpoint(port: port, readiness: readiness, logger: logger)))
        }
        services.append(.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup))
        try await PortInUse.naming("0.0.0.0:\(port ?? 0)", option: "--metrics-port") {
            try await WorkerAssembly.run(services, client: client, logger: logger)
        }
    }
}

/// Checks the database, resolves run names, sets up the rate budget, then runs the worker.
struct WorkerService: Service {
    let database: Database
    let client: ChatClient
    let scope: EndpointOptions.RateScope
    let limits: RateLimiting.RateLimits
    let rateKey: String
    let runNames: [String]
    var configuration: WorkerConfiguration
    let readiness: Readiness
    let logger: Logger

    func run() async throws {
        try await database.checkConnection()
        try await Migrator(database: database).requireCurrent()
        var configuration = configuration
        if !runNames.isEmpty {
            var ids: [Int64] = []
            for name in runNames { ids.append(try await database.queue.runs.requireRun(name).id) }
            configuration.runIDs = ids
        }
        let limiter = try await WorkerAssembly.limiter(scope: scope, key: rateKey, limits: limits, queue: database.queue, logger: logger)
        readiness.markReady()
        try await WorkerAssembly.drawing(on: limiter) {
            try await withGracefulShutdownHandler {
                try await WorkerAssembly.worker(configuration, queue: database.queue, client: client, limiter: limiter, logger: logger).run()
            } onGracefulShutdown: {
                readiness.markNotReady("draining")
            }
        }
    }
}
