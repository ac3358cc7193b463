import Logging
import TreeInstructCore

/// Finds, per model, the structured-output form an endpoint accepts: json_schema first, then
/// json_object with the schema, then the prompt alone. Servers differ (llama-cpp-python answers
/// json_schema with HTTP 500, "Input should be 'text' or 'json_object'"), and a user should not
/// have to know which flag their server needs.
///
/// A form counts as refused only when the next form is then accepted: an endpoint that fails
/// every form is failing, not refusing a dialect, so nothing is learnt and the first error is
/// what the caller sees. A server error counts only when it names the form (llama-cpp-python's
/// "response_format ... Input should be 'text' or 'json_object'"): a passing 500 must not
/// switch the whole cluster to a weaker form. The first accepted form is confirmed for the process, logged, and
/// remembered in `memory` for the cluster; calls made meanwhile may each try forms themselves
/// (at most three requests each, only until one is confirmed).
actor DialectNegotiation {
    static let order: [StructuredOutputDialect] = [.jsonSchema, .jsonObject, .promptOnly]

    private let endpoint: String
    private let memory: (any DialectMemory)?
    private let logger: Logger
    /// The confirmed dialect per model.
    private var known: [String: StructuredOutputDialect] = [:]
    /// Models whose remembered dialect was asked for (once per process: until one is confirmed,
    /// each call would otherwise ask the database again).
    private var recalled: Set<String> = []

    init(endpoint: String, memory: (any DialectMemory)?, logger: Logger) {
        self.endpoint = endpoint
        self.memory = memory
        self.logger = logger
    }

    /// The forms to try for `model`, best first: only the confirmed one once there is one (found
    /// by this process or remembered by the cluster).
    func candidates(for model: String) async -> [StructuredOutputDialect] {
        if known[model] == nil, let memory, recalled.insert(model).inserted {
            do {
                if let remembered = try await memory.recall(endpoint: endpoint, model: model), known[model] == nil {
                    known[model] = remembered
                    logger.info(
                        "structured output: using the dialect the cluster found",
                        metadata: ["dialect": "\(remembered.rawValue)", "model": "\(model)"])
                }
            } catch {
                logger.warning("cannot read the dialect the cluster found; finding it out", metadata: ["error": "\(error)"])
            }
        }
        return known[model].map { [$0] } ?? Self.order
    }

    /// The dialect confirmed for `model`, if one is.
    func confirmed(for model: String) -> StructuredOutputDialect? { known[model] }

    /// The confirmed `dialect` was refused in so many words: find out again.
    func forget(_ dialect: StructuredOutputDialect, model: String, because refusal: String) {
        guard known[model] == dialect else { return }
        known[model] = nil
        logger.warning(
            "structured output: the endpoint now refuses the dialect it took; finding it out again",
            metadata: ["dialect": "\(dialect.rawValue)", "model": "\(model)", "refused": "\(refusal)"])
    }

    /// `dialect` answered for `model`, after `refusals` (what each earlier form got back).
    func accepted(_ dialect: StructuredOutputDialect, model: String, refusals: [String]) async {
        if known[model] == dialect { return }
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
        guard [.badRequest, .unprocessable, .serverError].contains(error.kind) else { return false }
        return status < 500 || namesTheForm(error)
    }

    /// A refusal that names the form: enough to drop a confirmed one.
    static func refusesForm(_ error: LLMError) -> Bool { mayBeRefusal(error) && namesTheForm(error) }

    private static func namesTheForm(_ error: LLMError) -> Bool {
        let message = error.message.lowercased()
        return ["response_format", "json_schema", "json_object", "schema", "structured output", "grammar"].contains { message.contains($0) }
    }
}
