import ArgumentParser
import Foundation
import TaskStore
import TreeInstructCore

/// Claim latency with 10 k, 1 M and 10 M finished rows in the table: the partial index on
/// pending rows should keep it flat.
struct ClaimLatency: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "claims", abstract: "Claim latency (p50, p99) as finished rows grow.")

    @Option(help: "Finished rows in the table at each step, comma-separated.") var finished = "10000,1000000,10000000"
    @Option(help: "Pending rows kept claimable.") var pending = 10_000
    @Option(help: "Claims timed at each step.") var samples = 2000
    @Option(help: "Tasks per claim.") var batch = 16

    func run() async throws {
        let steps = finished.split(separator: ",").compactMap { Int($0) }
        let (pending, samples, batch) = (pending, samples, batch)
        try await withBenchDatabase(schema: "bench_claims") { database in
            let queue = database.queue
            let run = try await queue.runs.createOrFindRun(name: "claims", config: RunConfig(rewrite: RewriteSettings(nodesToAdd: 3), model: "bench"))
            _ = try await queue.runs.insertShard(benchRecords(pending), sourceFile: "bench", run: run)
            var have = 0
            for target in steps {
                let start = ContinuousClock.now
                try await queue.seedFinishedTasks(runID: run.id, count: target - have, firstNumber: have + 1)
                have = target
                try await queue.analyze()
                let seeding = (ContinuousClock.now - start).inSeconds
                var latencies: [Double] = []
                latencies.reserveCapacity(samples)
                for _ in 0..<samples {
                    let before = ContinuousClock.now
                    let claimed = try await queue.leases.claimTasks(workerID: "bench", limit: batch, lease: .seconds(60))
                    latencies.append((ContinuousClock.now - before).inSeconds * 1000)
                    _ = try await queue.leases.release(claimed, workerID: "bench")
                }
                latencies.sort()
                // Written at once, not buffered: the 10 M step takes minutes.
                FileHandle.standardOutput.write(
                    Data(
                        (String(
                            format: "claims finished_rows=%d pending=%d batch=%d samples=%d p50_ms=%.3f p99_ms=%.3f (seeding took %.0f s)",
                            target, pending, batch, samples, percentile(latencies, 0.5), percentile(latencies, 0.99), seeding) + "\n").utf8))
            }
        }
    }
}
