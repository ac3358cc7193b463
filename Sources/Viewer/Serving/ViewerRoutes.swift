import Hummingbird
import Logging
import TaskStore
import TreeInstructCore

/// What each address answers. Every handler reads through the task store's statements and
/// renders a page; a database error becomes a page that says what happened.
struct ViewerRoutes {
    let queue: QueueSchema
    let configuration: ViewerConfiguration
    let progress: ProgressCache
    let logger: Logger

    func register(on router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in await page { try await runs() } }
        router.get("/api/runs") { _, _ in await page { try await runsJSON() } }
        router.get("/runs/:run") { _, context in await page { try await run(try Self.runID(context)) } }
        router.get("/runs/:run/rows") { request, context in await page { try await rows(try Self.runID(context), QueryParameters(request.uri.query)) }
        }
        router.get("/runs/:run/rows/:line") { _, context in
            await page { try await row(try Self.runID(context), line: try Self.number(context, "line")) }
        }
        router.get("/assets/viewer.css") { _, _ in Self.asset(ViewerAssets.stylesheet, type: "text/css; charset=utf-8") }
        router.get("/assets/viewer.js") { _, _ in Self.asset(ViewerAssets.script, type: "text/javascript; charset=utf-8") }
        router.get("/healthz") { _, _ in "ok\n" }
        // Browsers ask for an icon; there is none, and a 404 would be noise in their console.
        router.get("/favicon.ico") { _, _ in Response(status: .noContent) }
    }

    // MARK: pages

    private func runs() async throws -> Response {
        let (runs, endpoints) = try await progress.current()
        return Pages.html(RunsPage.html(runs, endpoints: endpoints, prices: configuration.prices))
    }

    private func runsJSON() async throws -> Response {
        let body = RunNumbers.json(try await progress.current().runs, prices: configuration.prices)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    private func run(_ runID: Int64) async throws -> Response {
        guard let run = try await progress.current().runs.first(where: { $0.runID == runID }) else { throw PageError.noRun(runID) }
        let facts = RunPage.Facts(
            run: run, shards: try await queue.progress.shardProgress(runID: runID),
            minutes: try await queue.progress.recentThroughput(runID: runID),
            failures: try await queue.progress.topFailures(run: run.run, limit: 20), workers: try await queue.progress.activeWorkers(),
            batches: try await queue.progress.runBatches(runID: runID))
        return Pages.html(RunPage.html(facts, prices: configuration.prices))
    }

    private func rows(_ runID: Int64, _ parameters: QueryParameters) async throws -> Response {
        let run = try await runRef(runID)
        let shards = try await queue.rows.shardSpans(runID: runID)
        let shard = try parameters.nonEmpty("shard").map { try Self.parse($0, "shard", as: Int64.self) }
        var filter = RowFilter(
            difficulty: try parameters.nonEmpty("difficulty").map { try Self.parse($0, "difficulty", as: Int.self) },
            failureCode: parameters.nonEmpty("code"), search: parameters.nonEmpty("q"))
        if let shard {
            guard let span = shards.first(where: { $0.shardID == shard }) else { throw PageError.badParameter("shard", "no such shard in this run") }
            filter.lines = span.lines
        }
        let after = try parameters.nonEmpty("after").map(Self.cursor) ?? .start
        let page = try await queue.rows.page(runID: runID, filter: filter, after: after, size: configuration.pageSize)
        let query = RowsPage.Query(filter: filter, shard: shard, after: after)
        return Pages.html(RowsPage.html(run: run, query: query, page: page, codes: try await queue.rows.failureCodes(runID: runID), shards: shards))
    }

    private func row(_ runID: Int64, line: Int) async throws -> Response {
        let run = try await runRef(runID)
        let chain = try await queue.rows.chain(runID: runID, line: line)
        guard !chain.isEmpty else { throw PageError.noRow(line) }
        return Pages.html(RowPage.html(run: run, line: line, chain: chain))
    }

    private func runRef(_ runID: Int64) async throws -> RunRef {
        guard let name = try await queue.rows.runName(runID: runID) else { throw PageError.noRun(runID) }
        return RunRef(id: runID, name: name)
    }

    // MARK: errors and parameters

    /// The page `make` builds, or one that says why there is none.
    private func page(_ make: () async throws -> Response) async -> Response {
        do {
            return try await make()
        } catch let error as PageError {
            return Pages.message(status: error.status, title: error.title, error.text)
        } catch {
            if DatabaseErrorText.sqlState(error) == "42501" {
                return Pages.message(
                    status: .forbidden, title: "Not readable with this role",
                    "This page shows instructions and answers, which the viewer's database role may not read (the monitor role sees progress only). Start `treeinstruct serve` with the coordinator role to read rows."
                )
            }
            let reason = DatabaseErrorText.describe(error) ?? "\(error)"
            logger.warning("viewer page failed", metadata: ["reason": "\(reason)"])
            // The server's own message may quote values; the page says what kind of failure it
            // was, and the log has the rest.
            let shown =
                DatabaseErrorText.sqlState(error).map { "the database refused the query (SQLSTATE \($0)); the viewer's log has the details" }
                ?? reason
            return Pages.message(
                status: .serviceUnavailable, title: "Database unavailable", "The page could not be read: \(shown). Reload to try again.")
        }
    }

    private static func runID(_ context: BasicRequestContext) throws -> Int64 { try number(context, "run") }

    private static func number<Number: FixedWidthInteger>(_ context: BasicRequestContext, _ name: String) throws -> Number {
        guard let text = context.parameters.get(name), let value = Number(text), value >= 0, value <= Int32.max else {
            throw PageError.badParameter(name, "not a number")
        }
        return value
    }

    private static func parse<Number: FixedWidthInteger>(_ text: String, _ name: String, as: Number.Type) throws -> Number {
        guard let value = Number(text), value >= 0, value <= Int32.max else {
            throw PageError.badParameter(name, "\"\(text)\" is not a number from 0 to \(Int32.max)")
        }
        return value
    }

    /// "line.task", as the list's next link writes it.
    private static func cursor(_ text: String) throws -> RowCursor {
        let parts = text.split(separator: ".")
        guard parts.count == 2, let line = Int(parts[0]), let id = Int64(parts[1]), line >= 0, id >= 0, line <= Int(Int32.max) else {
            throw PageError.badParameter("after", "\"\(text)\" is not a list position")
        }
        return RowCursor(line: line, taskID: id)
    }

    private static func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Why a page cannot be shown, in the user's terms.
enum PageError: Error {
    case noRun(Int64)
    case noRow(Int)
    case badParameter(String, String)

    var status: HTTPResponse.Status {
        if case .badParameter = self { return .badRequest }
        return .notFound
    }

    var title: String {
        switch self {
        case .noRun: "No such run"
        case .noRow: "No such row"
        case .badParameter: "Bad address"
        }
    }

    var text: String {
        switch self {
        case .noRun(let id): "There is no run \(id); the list of runs is at /."
        case .noRow(let line): "This run has no row from line \(line)."
        case .badParameter(let name, let problem): "The parameter \(name) is wrong: \(problem)."
        }
    }
}
