import Foundation
import Logging
import RateLimiting
import ServiceLifecycle
import TreeInstructCore

/// A stateless worker: registers, claims tasks in batches, keeps up to `concurrency` LLM calls
/// in flight, renews its leases, reaps dead workers' leases, and stops cleanly.
///
/// On graceful shutdown (SIGTERM/SIGINT through a ServiceGroup) it stops claiming, gives
/// in-flight calls `grace` to finish, then cancels the rest and releases their tasks,
/// so no task stays running after a clean stop. A crash or kill -9 loses nothing either: its
/// leases expire and any worker's reaper returns the tasks.
public struct Worker: Service {
    public let configuration: WorkerConfiguration
    private let store: any LeaseStore
    private let health: any EndpointHealthStore
    private let chat: any ChatCompleting
    private let batchAPI: BatchAPI?
    private let limiter: RateLimiter
    private let logger: Logger
    private let version: String

    public init(
        configuration: WorkerConfiguration, store: any LeaseStore, health: any EndpointHealthStore, chat: any ChatCompleting,
        batchAPI: BatchAPI? = nil, limiter: RateLimiter, version: String, logger: Logger
    ) {
        self.configuration = configuration
        self.batchAPI = batchAPI
        self.store = store
        self.health = health
        self.chat = chat
        self.limiter = limiter
        self.version = version
        var logger = logger
        logger[metadataKey: "worker"] = "\(configuration.id)"
        self.logger = logger
    }

    public func run() async throws {
        let inFlight =
            configuration.adaptiveConcurrency
            ? InFlightTasks(pacing: AdaptiveConcurrency(maximum: configuration.concurrency)) : InFlightTasks(capacity: configuration.concurrency)
        let completions = CompletionBatcher(
            store: store, workerID: configuration.id, window: configuration.completionWindow,
            patience: configuration.completionPatience, slots: { await inFlight.slots })
        let (store, runIDs) = (store, configuration.runIDs)
        let watch = EndpointWatch(
            policy: configuration.endpoint, store: health, logger: logger,
            waitingTasks: { try? await store.openTaskCount(runIDs: runIDs) })
        let metrics = WorkerMetrics()
        let processor = TaskProcessor(
            store: store, completions: completions, watch: watch,
            chat: chat, limiter: limiter, configs: RunConfigCache(store: store),
            workerID: configuration.id, backoff: configuration.backoff, metrics: metrics,
            logger: logger)
        try await store.register(
            WorkerIdentity(
                id: configuration.id, host: ProcessInfo.processInfo.hostName,
                pid: Int(ProcessInfo.processInfo.processIdentifier), version: version,
                concurrency: configuration.concurrency))
        try await watch.start()
        logger.info(
            "worker started",
            metadata: [
                "concurrency": "\(configuration.adaptiveConcurrency ? "auto, up to \(configuration.concurrency)" : "\(configuration.concurrency)")"
            ])
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { housekeeping in
                housekeeping.addTask { await heartbeats(inFlight) }
                housekeeping.addTask { await reaping() }
                housekeeping.addTask { await summaries(metrics.tally, inFlight, watch) }
                // Every call has its outcome written before `work` returns, so the batcher has
                // nothing left when it is cancelled with the rest.
                housekeeping.addTask { await completions.run() }
                if let batchAPI {
                    let batches = BatchWork(
                        policy: configuration.batches ?? BatchPolicy(endpoint: configuration.endpoint.key), store: batchAPI.store,
                        leases: store, provider: batchAPI.provider, configs: processor.configs, workerID: configuration.id,
                        runIDs: configuration.runIDs, logger: logger)
                    housekeeping.addTask { await batches.run() }
                }
                defer { housekeeping.cancelAll() }
                try await work(inFlight, processor, watch, metrics)
            }
        } onGracefulShutdown: {
            // The shutdown handler is synchronous; this task only carries the stop to the actor.
            Task { await inFlight.stop() }
        }
        let id = configuration.id
        _ = try? await withDeadline(configuration.stopPatience) { try await store.markStopped(workerID: id) }
        logger.info("worker stopped")
    }

    /// Claims and processes until stopped (or, with `exitWhenDone`, until no work is left), then
    /// lets in-flight calls finish within the grace period and cancels the rest (each releases its task).
    private func work(_ inFlight: InFlightTasks, _ processor: TaskProcessor, _ watch: EndpointWatch, _ metrics: WorkerMetrics) async throws {
        await withDiscardingTaskGroup { calls in
            var lastLook = Duration.zero
            while !Task.isCancelled {
                await inFlight.waitForRoom(minimum: max(1, configuration.claimBatch / 2), patience: configuration.claimPatience)
                if await inFlight.stopping { break }
                let free = await inFlight.free
                let limit: Int
                do {
                    switch try await watch.admission() {
                    case .open: limit = min(free, configuration.claimBatch)
                    case .probe: limit = 1
                    case .closed:
                        try? await Task.sleep(for: min(configuration.idle, configuration.endpoint.refreshEvery))
                        continue
                    }
                } catch {
                    logger.critical("stopping: \(error)")
                    await inFlight.fail(error)
                    break
                }
                let claimed: [ClaimedTask]
                do {
                    claimed = try await store.claim(
                        workerID: configuration.id, limit: limit, lease: configuration.lease, runIDs: configuration.runIDs)
                } catch {
                    logger.error("claim failed; retrying", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .seconds(1))
                    continue
                }
                metrics.claimed.increment(by: Int64(claimed.count))
                for task in claimed {
                    await inFlight.add(task)
                    calls.addTask { await run(task, processor, inFlight) }
                }
                guard claimed.isEmpty else {
                    lastLook = .zero
                    continue
                }
                guard configuration.exitWhenDone else {
                    try? await Task.sleep(for: configuration.idle)
                    continue
                }
                // Leaving once the runs are done: the end of a run should not cost an idle pause.
                // Wait for this worker's own calls, then look again; while other workers still
                // hold tasks, look again soon and less often the longer they take.
                if await inFlight.count > 0 {
                    await inFlight.waitUntilEmpty(patience: configuration.idle)
                } else if await runsAreDone() {
                    break
                } else {
                    lastLook = min(configuration.idle, max(.milliseconds(20), lastLook * 2))
                    try? await Task.sleep(for: lastLook)
                }
            }
            await inFlight.stop()
            let deadline = ContinuousClock.now + configuration.grace
            while await inFlight.count > 0, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(50))
            }
            let unfinished = await inFlight.count
            if unfinished > 0 {
                logger.warning("grace period over; releasing unfinished tasks", metadata: ["tasks": "\(unfinished)"])
                calls.cancelAll()
            }
        }
        // Calls cancelled after the grace period left their tasks here: released in one go, from
        // this task, which shutdown does not cancel.
        let leftovers = await inFlight.all
        if !leftovers.isEmpty {
            let (store, id) = (store, configuration.id)
            do {
                _ = try await withDeadline(configuration.stopPatience) { try await store.release(leftovers, workerID: id) }
            } catch {
                logger.warning(
                    "cannot release unfinished tasks (\(error)); their leases expire and any worker's reaper returns them",
                    metadata: ["tasks": "\(leftovers.count)"])
            }
        }
        if let fatal = await inFlight.fatalError { throw fatal }
    }

    /// No task of the runs is pending or running, and no batch of theirs is still to be applied
    /// or closed: a batch's last answers are stored before it is marked applied, and a worker
    /// leaving in between (its batch loop cancelled) would leave the batch open.
    private func runsAreDone() async -> Bool {
        guard (try? await store.openTaskCount(runIDs: configuration.runIDs)) == 0 else { return false }
        guard let batchAPI else { return true }
        let endpoint = configuration.batches?.endpoint ?? configuration.endpoint.key
        return (try? await batchAPI.store.unfinishedBatchCount(endpoint: endpoint, runIDs: configuration.runIDs)) == 0
    }

    /// Processes one task. If shutdown cancelled it, the task stays in `inFlight` and `work`
    /// releases it with the others; if it stopped short otherwise (the database failed mid-way)
    /// it is released here. If the release cannot reach the database either, the lease expires
    /// and a reaper returns the task.
    private func run(_ task: ClaimedTask, _ processor: TaskProcessor, _ inFlight: InFlightTasks) async {
        do {
            try await processor.process(task) { observed in
                if let slots = await inFlight.callReturned(task, observed: observed) {
                    logger.debug("calls in flight adjusted", metadata: ["slots": "\(slots)"])
                }
            }
        } catch {
            if Task.isCancelled || error is CancellationError { return }
            if error is EndpointUnusable || error is QuotaExhausted {
                logger.critical("stopping: \(error)")
                await inFlight.fail(error)
            } else {
                logger.error("task processing failed", metadata: ["task": "\(task.id)", "error": "\(error)"])
            }
            _ = try? await store.release([task], workerID: configuration.id)
        }
        await inFlight.remove(task)
    }

    private func heartbeats(_ inFlight: InFlightTasks) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: configuration.heartbeat)
            do {
                // Only tasks whose call was pending both before and after the heartbeat can have
                // lost their lease: others were claimed after it read the leases, or their outcome
                // was being written (a completion racing the heartbeat is not a loss).
                let before = Set(await inFlight.awaitingCall.map(\.id))
                let held = try await store.heartbeat(workerID: configuration.id, holding: await inFlight.all, lease: configuration.lease)
                let lost = await inFlight.awaitingCall.filter { before.contains($0.id) && !held.contains($0.id) }
                if !lost.isEmpty { logger.warning("leases lost; their results will be refused", metadata: ["tasks": "\(lost.map(\.id))"]) }
            } catch  where !Task.isCancelled {
                logger.error("heartbeat failed", metadata: ["error": "\(error)"])
            } catch {
                return
            }
        }
    }

    /// One line every `summaryEvery` while there is something to say: what the calls came to,
    /// the endpoint's state and the calls in flight.
    private func summaries(_ tally: WorkerTally, _ inFlight: InFlightTasks, _ watch: EndpointWatch) async {
        var last = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: configuration.summaryEvery)
            let now = ContinuousClock.now
            let (counts, acceptedInAll) = tally.take()
            let (held, slots, endpoint) = (await inFlight.count, await inFlight.slots, await watch.state)
            let quiet = counts.accepted + counts.rejectedTotal + counts.errorTotal == 0 && held == 0
            if !quiet {
                let pacing = configuration.adaptiveConcurrency ? "auto, now \(slots)" : "\(slots)"
                logger.info(
                    "\(WorkerTally.line(counts, over: (now - last).inSeconds)); endpoint \(endpoint.rawValue); \(held) tasks held, concurrency \(pacing); accepted since start \(acceptedInAll)"
                )
            }
            last = now
        }
    }

    private func reaping() async {
        while !Task.isCancelled {
            do {
                let recovered = try await store.reapExpiredLeases()
                if recovered > 0 { logger.notice("recovered tasks from expired leases", metadata: ["tasks": "\(recovered)"]) }
            } catch  where !Task.isCancelled {
                logger.error("reaper failed", metadata: ["error": "\(error)"])
            } catch {
                return
            }
            try? await Task.sleep(for: configuration.reapInterval)
        }
    }
}
