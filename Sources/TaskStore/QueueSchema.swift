import Logging
import PostgresNIO
import TreeInstructCore

/// The cluster's only shared state: the queue's tables in one PostgreSQL schema.
///
/// Its statements are grouped by the concern they serve, one statement per file, one folder
/// per concern: ``runs`` (runs, shards and their tasks' submission), ``leases`` (claiming and
/// finishing tasks), ``budgets`` (the shared rate budget), ``workers`` (who is working),
/// ``progress`` (what operators watch), ``results`` (export), ``health`` (the endpoint's
/// state, shared), ``rows`` (the viewer's pages of texts) and ``batches`` (provider batches).
///
/// `schema` is a validated identifier, interpolated unescaped only as a name. Every value
/// travels as a bind parameter.
public struct QueueSchema: Sendable {
    public let client: PostgresClient
    public let schema: String
    public let logger: Logger
    /// The longest wait for one statement to start answering (default 30 s); see `BoundedClient`.
    public let statementTimeout: Duration

    public init(client: PostgresClient, schema: String, logger: Logger, statementTimeout: Duration = .seconds(30)) {
        precondition(SchemaName.isValid(schema), "invalid schema name \(schema)")
        self.client = client
        self.schema = schema
        self.logger = logger
        self.statementTimeout = statementTimeout
    }

    public var runs: RunCatalog { RunCatalog(tables: self) }
    public var leases: TaskLeases { TaskLeases(tables: self) }
    public var budgets: RateBudgets { RateBudgets(tables: self) }
    public var workers: WorkerRegistry { WorkerRegistry(tables: self) }
    public var progress: ProgressReports { ProgressReports(tables: self) }
    public var results: ResultRows { ResultRows(tables: self) }
    public var health: EndpointHealthRecords { EndpointHealthRecords(tables: self) }
    public var rows: RowBrowser { RowBrowser(tables: self) }
    public var batches: BatchRecords { BatchRecords(tables: self) }
}

/// One concern's statements over the queue's tables.
protocol QueueStatements: Sendable {
    var tables: QueueSchema { get }
}

extension QueueStatements {
    var client: BoundedClient { BoundedClient(pool: tables.client, limit: tables.statementTimeout) }
    var logger: Logger { tables.logger }
    /// `"schema"`, quoted for use before a table name.
    var s: String { "\"\(tables.schema)\"" }
}

/// Runs, their shards, and the tasks submitted into them: what the coordinator writes.
public struct RunCatalog: QueueStatements { let tables: QueueSchema }

/// Provider batches (batch-mode runs): made, followed and applied by workers as leased jobs.
public struct BatchRecords: QueueStatements { let tables: QueueSchema }

/// Claiming, heartbeating, finishing, failing and releasing tasks under a lease: what workers do.
public struct TaskLeases: QueueStatements { let tables: QueueSchema }

/// The cluster-wide rate budgets that workers sharing an endpoint draw from.
public struct RateBudgets: QueueStatements { let tables: QueueSchema }

/// The workers that registered, and when they stopped.
public struct WorkerRegistry: QueueStatements { let tables: QueueSchema }

/// Progress, failures and open work, as operators and `status` read them.
public struct ProgressReports: QueueStatements { let tables: QueueSchema }

/// Each endpoint's health as the cluster sees it: faults, probes, quota stops.
public struct EndpointHealthRecords: QueueStatements { let tables: QueueSchema }

/// Finished rows, read for export.
public struct ResultRows: QueueStatements { let tables: QueueSchema }

/// A run's source rows, their chains of tasks and texts, as the viewer pages through them.
public struct RowBrowser: QueueStatements { let tables: QueueSchema }

/// Schema names are put into SQL text, so only plain lower-case identifiers are allowed.
public enum SchemaName {
    public static func isValid(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 63 else { return false }
        let isLowerOrUnderscore = { (byte: UInt8) in (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || byte == UInt8(ascii: "_") }
        return isLowerOrUnderscore(first)
            && name.utf8.allSatisfy { isLowerOrUnderscore($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
