import ArgumentParser
import Foundation
import Logging
import TaskStore
import TreeInstructCore

/// Measures the task store itself, without an LLM endpoint: how fast claims stay as finished
/// rows pile up, and how many no-op tasks a second the queue moves. Connects like every
/// treeinstruct command (DATABASE_URL or the PG* variables) and works in its own schemas.
/// Results and method: BENCHMARKS.md.
@main
struct QueueBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "treeinstruct-bench",
        abstract: "Benchmarks of the PostgreSQL task store (see BENCHMARKS.md).",
        subcommands: [ClaimLatency.self, NoopThroughput.self]
    )
}

/// A fresh schema on the configured database, migrated, with the pool running for `body`.
func withBenchDatabase<Result: Sendable>(schema: String, _ body: @Sendable (Database) async throws -> Result) async throws -> Result {
    let logger = {
        var logger = Logger(label: "bench"); logger.logLevel = .warning; return logger
    }()
    let settings = try DatabaseSettings.resolve(
        url: ProcessInfo.processInfo.environment["DATABASE_URL"],
        environment: ProcessInfo.processInfo.environment)
    return try await Database(settings: settings, schema: schema, maxConnections: 16, logger: logger).withRunning { database in
        try await database.client.query("DROP SCHEMA IF EXISTS \(unescaped: "\"\(schema)\"") CASCADE", logger: logger)
        try await Migrator(database: database).migrate()
        return try await body(database)
    }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

/// Source rows for a bench run: distinct instructions, nothing else.
func benchRecords(_ count: Int, from first: Int = 1) -> [InstructionRecord] {
    (first..<(first + count)).map { InstructionRecord(instruction: "Benchmark instruction number \($0).", line: $0) }
}
