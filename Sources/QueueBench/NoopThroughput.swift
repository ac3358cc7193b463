import ArgumentParser
import Foundation
import TaskStore
import TreeInstructCore

/// The queue's own cost per task, like a peer queue's no-op jobs: claim in batches, complete
/// each task with a trivial result (result, attempt and state in one statement, as workers do),
/// with one batch committing while the next is claimed.
struct NoopThroughput: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "noop", abstract: "No-op tasks per second through claim and complete.")

    @Option(help: "Tasks to move.") var tasks = 20_000
    @Option(help: "Concurrent claim-and-complete loops.") var loops = 16
    @Option(help: "Tasks per claim.") var batch = 64

    func run() async throws {
        let (tasks, loops, batch) = (tasks, loops, batch)
        try await withBenchDatabase(schema: "bench_noop") { database in
            let queue = database.queue
            let run = try await queue.runs.createOrFindRun(name: "noop", config: RunConfig(rewrite: RewriteSettings(nodesToAdd: 3), model: "bench"))
            _ = try await queue.runs.insertShard(benchRecords(tasks), sourceFile: "bench", run: run)
            try await queue.analyze()
            let start = ContinuousClock.now
            let done = try await withThrowingTaskGroup(of: Int.self) { group in
                for loop in 0..<loops {
                    group.addTask {
                        // The next claim goes out while the previous batch commits, as in a worker (its claim
                        // loop and completion batcher run side by side) and in pgqueuer (its buffered log):
                        // at most one commit in flight, a child task of this loop.
                        try await withThrowingTaskGroup(of: Int.self) { commits in
                            var completed = 0
                            while true {
                                let claimed = try await queue.leases.claimTasks(workerID: "bench-\(loop)", limit: batch, lease: .seconds(60))
                                if let committed = try await commits.next() { completed += committed }
                                if claimed.isEmpty { return completed }
                                let finished = claimed.map {
                                    Completion(task: $0, output: .response("ok"), followUp: nil, difficulty: 0, report: CallReport(model: "bench"))
                                }
                                commits.addTask { try await queue.leases.complete(finished, workerID: "bench-\(loop)").count }
                            }
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            let elapsed = (ContinuousClock.now - start).inSeconds
            print(
                String(
                    format: "noop tasks=%d loops=%d batch=%d seconds=%.2f tasks_per_second=%.0f", done, loops, batch, elapsed,
                    Double(done) / elapsed))
        }
    }
}
