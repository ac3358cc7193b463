import Logging
import TreeInstructCore

/// Finds, per model, the structured-output form an endpoint accepts: json_schema first, then
/// json_object with the schema, then the prompt alone. Servers differ (llama-cpp-python answers
/// json_schema with HTTP 500, "Input should be 'text' or 'json_object'"), and a user should not
/// have to know which flag their server needs.
///
/// A form counts as refused only when the next form is then accepted: an endpoint that fails
/// every form is failing, not refusing a dialect, so nothing is learnt and the first error is
/// what the caller sees. The first accepted form is confirmed for the process, logged, and
/// remembered in `memory` for the cluster; calls made meanwhile may each try forms themselves
/// (at most three requests each, only until one is confirmed).
actor DialectNegotiation {
    static let order: [StructuredOutputDialect] = [.jsonSchema, .jsonObject, .promptOnly]

    private let endpoint: String
    private let memory: (any DialectMemory)?
    private let logger: Logger
    /// The confirmed dialect per model.
    private var known: [String: StructuredOutputDialect] = [:]

    init(endpoint: String, memory: (any DialectMemory)?, logger: Logger) {
        self.endpoint = endpoint
        self.memory = memory
        self.logger = logger
    }

    /// The forms to try for `model`, best first: only the confirmed one once there is one (found
    /// by this process or remembered by the cluster).
    func candidates(for model: String) async -> [StructuredOutputDialect] {
        if known[model] == nil, let memory, let remembered = try? await memory.recall(endpoint: endpoint, model: model),
            known[model] == nil
        {
            known[model] = remembered
            logger.info(
                "structured output: using the dialect the cluster found", metadata: ["dialect": "\(remembered.rawValue)", "model": "\(model)"])
        }
        return known[model].map { [$0] } ?? Self.order
    }

    /// The dialect confirmed for `model`, if one is.
    func confirmed(for model: String) -> StructuredOutputDialect? { known[model] }

    /// `dialect` answered for `model`, after `refusals` (what each earlier form got back).
    func accepted(_ dialect: StructuredOutputDialect, model: String, refusals: [String]) async {
        if known[model] != nil { return }
        known[model] = dialect
        let refused = refusals.isEmpty ? nil : refusals.joined(separator: "; ")
        var metadata: Logger.Metadata = ["dialect": "\(dialect.rawValue)", "model": "\(model)"]
        if let refused { metadata["refused"] = "\(refused)" }
        logger.notice("structured output: the endpoint accepts this dialect", metadata: metadata)
        do {
            try await memory?.remember(dialect, endpoint: endpoint, model: model, refused: refused)
        } catch {
            logger.warning("cannot remember the dialect for the cluster; each worker finds it out again", metadata: ["error": "\(error)"])
        }
    }

    /// Whether an error answer to a request in some dialect may mean the form was not understood:
    /// a client error about the request (400, 422) or a server that failed on it (500, 501).
    /// Authentication, missing models, rate limits, timeouts and outages are never about the form.
    static func mayBeRefusal(_ error: LLMError) -> Bool {
        guard let status = error.httpStatus, [400, 422, 500, 501].contains(status) else { return false }
        return [.badRequest, .unprocessable, .serverError].contains(error.kind)
    }
}
