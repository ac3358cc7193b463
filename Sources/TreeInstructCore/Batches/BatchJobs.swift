import Foundation

/// A batch's packing job, as `openBatch` made it.
public struct OpenedBatch: Sendable {
    public var ticket: BatchTicket
    public var runID: Int64
    /// Tag for the provider's metadata, so a batch whose packer died is found again.
    public var reference: String
    public var tasks: [ClaimedTask]

    public init(ticket: BatchTicket, runID: Int64, reference: String, tasks: [ClaimedTask]) {
        self.ticket = ticket
        self.runID = runID
        self.reference = reference
        self.tasks = tasks
    }
}

/// Proof of holding a batch's job: its id and the job's token.
public struct BatchTicket: Sendable, Hashable {
    public var batchID: Int64
    public var token: Int64

    public init(batchID: Int64, token: Int64) {
        self.batchID = batchID
        self.token = token
    }

    /// The lease owner of the batch's tasks.
    public var owner: String { "batch:\(batchID)" }
}

/// A job taken on a batch.
public struct BatchJob: Sendable {
    public enum Stage: String, Sendable {
        /// Its packer died: find it at the provider, or return its tasks.
        case packing
        /// At the provider: poll it (and cancel it when asked).
        case open
        /// The provider is done with it: apply its answers.
        case ended
    }

    public var ticket: BatchTicket
    public var runID: Int64
    public var stage: Stage
    public var reference: String
    public var providerBatchID: String?
    public var outputFileID: String?
    public var errorFileID: String?
    public var providerStatus: String?
    public var createdAt: Date
    /// The provider's deadline, once it is known.
    public var expiresAt: Date?
    public var cancelRequested: Bool

    public init(
        ticket: BatchTicket, runID: Int64, stage: Stage, reference: String, providerBatchID: String? = nil, outputFileID: String? = nil,
        errorFileID: String? = nil, providerStatus: String? = nil, createdAt: Date = Date(), expiresAt: Date? = nil,
        cancelRequested: Bool = false
    ) {
        self.ticket = ticket
        self.runID = runID
        self.stage = stage
        self.reference = reference
        self.providerBatchID = providerBatchID
        self.outputFileID = outputFileID
        self.errorFileID = errorFileID
        self.providerStatus = providerStatus
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.cancelRequested = cancelRequested
    }
}

/// How a batch ends in the store.
public enum BatchEnd: String, Sendable {
    case applied, abandoned
}

/// What applying a batch did to its tasks.
public struct BatchTally: Sendable, Hashable {
    /// Answers stored (stale ones, already applied, not counted).
    public var applied = 0
    /// Answers rejected by validation or failed at the provider (an attempt each).
    public var rejected = 0
    /// Tasks given back to pending without an answer (expired, cancelled, missing).
    public var returned = 0

    public init(applied: Int = 0, rejected: Int = 0, returned: Int = 0) {
        self.applied = applied
        self.rejected = rejected
        self.returned = returned
    }
}
