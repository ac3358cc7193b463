import Foundation
import TreeInstructCore

/// What the worker core needs of a provider's Batch API (OpenAI's /v1/files and /v1/batches):
/// send a file of requests as one batch, follow it, read its answers. LLMClient's `BatchClient`
/// implements it over HTTP; failures are `LLMError`s.
public protocol BatchProviding: Sendable {
    /// Uploads `requests` as one JSONL file and creates a batch of it, tagged with `metadata`.
    /// Requests past `maxFileBytes` are left out (their ids returned), not sent.
    func submit(
        _ requests: [BatchRequest], completionWindow: String, metadata: [String: String], maxFileBytes: Int
    ) async throws -> SubmittedBatch
    /// The batch as the provider sees it now.
    func retrieve(_ id: String) async throws -> ProviderBatch
    /// Asks the provider to stop the batch (it answers cancelling, then cancelled).
    func cancel(_ id: String) async throws -> ProviderBatch
    /// The provider's batches, newest first, after the one named (a page of up to `limit`).
    func list(after: String?, limit: Int) async throws -> (batches: [ProviderBatch], hasMore: Bool)
    /// Each line of an output or error file, read, handed to `body` in turn.
    func answers(inFile id: String, _ body: (BatchAnswer) async throws -> Void) async throws
}
