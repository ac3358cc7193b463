import Foundation
import PostgresNIO
import PostgresTestSupport
import TaskStore
import Testing
import TreeInstructCore

@testable import Viewer

/// The viewer over a real PostgreSQL, read over HTTP on loopback.
@Suite("Viewer pages", .enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
struct ViewerPageTests {
    /// Instructions are hostile input: markup, script, attribute breakers, right-to-left overrides.
    static let hostile = [
        ("Explain <script>window.pwned=1</script> in one paragraph for a beginner.", ""),
        ("Describe \"><img src=x onerror=alert(1)> and why attributes need quoting.", "<iframe src=javascript:alert(2)>"),
        ("Translate \u{202E}txet desrever\u{202C} and مرحبا into plain English words.", "</textarea><svg onload=alert(3)>"),
        ("Summarize the role of ' OR '1'='1 in query injection attacks.", "&lt;already escaped&gt; & raw"),
    ]

    static func rewrite(_ task: ClaimedTask) -> AcceptedRewrite {
        AcceptedRewrite(
            newInstruction: task.instruction + " Add a <b>bold</b> example and compare costs.",
            originalTree: SemanticNode("explain", [SemanticNode("<script>x</script>")]),
            expandedTree: SemanticNode("explain", [SemanticNode("<script>x</script>"), SemanticNode("example"), SemanticNode("costs")]),
            addedNodes: ["example", "costs"], wordCount: 20)
    }

    @Test func hostileTextIsShownAsTextOnEveryPage() async throws {
        let database = try await TestPostgres.database()
        let run = try await ViewerHarness.submit(database, "<script>alert('run')</script>", Self.hostile)
        try await ViewerHarness.finish(database, run) { task in
            task.sourceLine == 2
                ? .failed(
                    AttemptFailure(
                        outcome: "rejected", code: "url_introduced", detail: "adds <a href=\"javascript:x\">x</a>", retryable: false,
                        answer: "{\"new_instruction\": \"<script>window.pwned=4</script> see http://x.example\"}"))
                : .accepted(Self.rewrite(task))
        }
        // A provider batch of the run, with text a provider (or anyone) could have written.
        try await database.client.query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO "\(database.schema)".batches (run_id, endpoint, state, provider_status, provider_batch_id, request_count, last_error)
                    VALUES (\(run.id), 'e', 'applied', 'completed', '<img src=x onerror=alert(1)>', 3, '<script>window.pwned=9</script>')
                    """))
        try await ViewerHarness.withViewer(database.queue) { get in
            for path in [
                "/", "/runs/\(run.id)", "/runs/\(run.id)/rows", "/runs/\(run.id)/rows?code=url_introduced", "/runs/\(run.id)/rows/1",
                "/runs/\(run.id)/rows/2", "/runs/\(run.id)/rows/3", "/runs/\(run.id)/rows/4",
            ] {
                let page = try await get(path, [])
                #expect(page.status == 200, "\(path): \(page.body.prefix(300))")
                for raw in [
                    "<script>window", "<script>alert", "<img src=x", "<iframe", "<svg onload", "</textarea>", "<a href=\"javascript", "<b>bold",
                ] {
                    #expect(!page.body.contains(raw), "\(path) holds raw \(raw)")
                }
                let policy = try #require(page.header("Content-Security-Policy"))
                #expect(policy.contains("script-src 'self'") && policy.contains("default-src 'none'") && !policy.contains("unsafe"))
                #expect(page.header("X-Content-Type-Options") == "nosniff")
            }
            let row = try await get("/runs/\(run.id)/rows/1", []).body
            #expect(row.contains("&lt;script&gt;window.pwned=1&lt;/script&gt;"))
            #expect(row.contains("&lt;b&gt;bold&lt;/b&gt;"))
            let failed = try await get("/runs/\(run.id)/rows/2", []).body
            #expect(failed.contains("url_introduced") && failed.contains("&lt;a href=&quot;javascript:x&quot;&gt;"))
            #expect(failed.contains("&lt;script&gt;window.pwned=4&lt;/script&gt; see http://x.example"))  // the rejected answer
            let listing = try await get("/runs/\(run.id)/rows?code=url_introduced", []).body
            #expect(listing.contains("the answer it rejected") && listing.contains("&lt;script&gt;window.pwned=4"))
            let runPage = try await get("/runs/\(run.id)", []).body
            #expect(runPage.contains("Provider batches") && runPage.contains("&lt;script&gt;window.pwned=9&lt;/script&gt;"))
            let rtl = try await get("/runs/\(run.id)/rows/3", []).body
            #expect(rtl.contains("\u{202E}txet desrever\u{202C}"))  // kept, inside an isolating element
            #expect(try await get("/runs/\(run.id)/rows", []).body.contains("&lt;script&gt;alert(&#39;run&#39;)&lt;/script&gt;"))
        }
    }

    @Test func theRowPageMarksTheAddedNodes() async throws {
        let database = try await TestPostgres.database()
        let run = try await ViewerHarness.submit(database, "marks", [("Write a short poem about the sea at night.", "")])
        try await ViewerHarness.finish(database, run) { task in
            .accepted(
                AcceptedRewrite(
                    newInstruction: "Write a short rhyming poem about the stormy sea at night, with a lighthouse.",
                    originalTree: SemanticNode("write", [SemanticNode("poem", [SemanticNode("short")]), SemanticNode("sea")]),
                    expandedTree: SemanticNode(
                        "write",
                        [
                            SemanticNode("poem", [SemanticNode("short"), SemanticNode("rhyming")]), SemanticNode("sea", [SemanticNode("stormy")]),
                            SemanticNode("lighthouse"),
                        ]),
                    addedNodes: ["rhyming", "stormy", "lighthouse"], wordCount: 14))
        }
        try await ViewerHarness.withViewer(database.queue) { get in
            let page = try await get("/runs/\(run.id)/rows/1", []).body
            let marked = page.matches(of: /<mark>([^<]*)<\/mark>/).map { String($0.1) }
            #expect(marked == ["rhyming", "stormy", "lighthouse"])
            let added = page.matches(of: /<span class="node added">([^<]*)<\/span>/).map { String($0.1) }
            #expect(added == ["rhyming", "stormy", "lighthouse"])
            #expect(page.matches(of: /<span class="node">/).count == 4 + 4)  // both trees' old nodes
        }
    }

    @Test func pagesVisitEveryRowOnceWithAndWithoutFilters() async throws {
        let database = try await TestPostgres.database()
        let rows = (1...130).map { ("Describe landmark number \($0) for a visitor \($0 % 7 == 0 ? "with a lantern" : "in daylight").", "") }
        let run = try await ViewerHarness.submit(database, "paging", rows)
        try await ViewerHarness.finish(database, run) { task in
            task.sourceLine % 10 == 0
                ? .failed(AttemptFailure(outcome: "rejected", code: "too_short", detail: "9 words", retryable: false))
                : .accepted(Self.rewrite(task))
        }
        try await ViewerHarness.withViewer(database.queue, ViewerConfiguration(pageSize: 25)) { get in
            func lines(_ first: String) async throws -> [Int] {
                var (found, next, pages) = ([Int](), Optional(first), 0)
                while let path = next, pages < 50 {
                    let page = try await get(path, [])
                    #expect(page.status == 200)
                    let table = page.body.components(separatedBy: "<table class=\"rows\">").last ?? ""
                    let listed = table.components(separatedBy: "</table>").first ?? ""
                    found += listed.matches(of: /<tr><td><a href="\/runs\/\d+\/rows\/(\d+)">/).map { Int($0.1)! }
                    next = page.body.firstMatch(of: /class="next" href="([^"]+)"/).map { String($0.1).replacingOccurrences(of: "&amp;", with: "&") }
                    pages += 1
                }
                return found
            }
            #expect(try await lines("/runs/\(run.id)/rows") == Array(1...130))
            #expect(try await lines("/runs/\(run.id)/rows?q=LANTERN") == (1...130).filter { $0 % 7 == 0 })
            #expect(try await lines("/runs/\(run.id)/rows?code=too_short") == (1...130).filter { $0 % 10 == 0 })
            #expect(try await lines("/runs/\(run.id)/rows?difficulty=2") == (1...130).filter { $0 % 10 != 0 })
            #expect(try await lines("/runs/\(run.id)/rows?difficulty=4").isEmpty)
            let shard = try #require(try await database.queue.rows.shardSpans(runID: run.id).first)
            #expect(try await lines("/runs/\(run.id)/rows?shard=\(shard.shardID)") == Array(shard.lines))
            #expect(try await get("/runs/\(run.id)/rows?after=x", []).status == 400)
            #expect(try await get("/runs/\(run.id)/rows/999", []).status == 404)
            #expect(try await get("/runs/424242", []).status == 404)
            #expect(try await get("/runs/\(run.id)/rows/99999999999", []).status == 400)  // beyond int4: refused, not sent to the database
            #expect(try await get("/runs/\(run.id)/rows?difficulty=99999999999", []).status == 400)
        }
    }

    @Test func anAccessTokenGuardsEveryPage() async throws {
        let database = try await TestPostgres.database()
        let run = try await ViewerHarness.submit(database, "guarded", [("Name three rivers in Europe and their lengths.", "")])
        let token = "viewer-token-\(UUID().uuidString.prefix(8))"
        try await ViewerHarness.withViewer(database.queue, ViewerConfiguration(accessToken: token)) { get in
            #expect(try await get("/assets/viewer.css", []).status == 200)  // no data: the 401 page needs it
            for path in ["/", "/api/runs", "/runs/\(run.id)", "/runs/\(run.id)/rows", "/runs/\(run.id)/rows/1"] {
                #expect(try await get(path, []).status == 401, "\(path)")
                #expect(try await get(path, [("Cookie", "treeinstruct_viewer=wrong-\(token)")]).status == 401)
                #expect(try await get(path, [("Authorization", "Bearer \(token)")]).status == 200)
                #expect(try await get(path, [("Cookie", "treeinstruct_viewer=\(token)")]).status == 200)
            }
            #expect(try await get("/?token=nope", []).status == 401)
            let login = try await get("/runs/\(run.id)/rows?q=x&token=\(token)", [])
            #expect(login.status == 303)
            #expect(login.header("Location") == "/runs/\(run.id)/rows?q=x")
            let cookie = try #require(login.header("Set-Cookie"))
            #expect(cookie.contains("treeinstruct_viewer=\(token)") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
            #expect(!(try await get("/", [("Authorization", "Bearer \(token)")]).body.contains(token)))
            // The token's name percent-encoded is still the token, and leaves the address too.
            let encoded = try await get("/runs/\(run.id)/rows?%74oken=\(token)&q=x", [])
            #expect(encoded.status == 303 && encoded.header("Location") == "/runs/\(run.id)/rows?q=x")
            // A path a browser reads as another host is not where the login sends it.
            #expect(try await get("//elsewhere.example/?token=\(token)", []).header("Location") == "/")
        }
    }

    /// A page whose host name resolves to 127.0.0.1 (DNS rebinding) gets nothing, token or not.
    @Test func onlyThisMachinesNamesAreAnswered() async throws {
        let database = try await TestPostgres.database()
        _ = try await ViewerHarness.submit(database, "rebinding", [("Name two lakes in Africa and their depths.", "")])
        try await ViewerHarness.withViewer(database.queue) { get in
            #expect(try await get("/", []).status == 200)  // Host: 127.0.0.1:port
            #expect(try await get("/", [("Host", "localhost:8321")]).status == 200)
            let rebound = try await get("/", [("Host", "attacker.example:8321")])
            #expect(rebound.status == 421 && !rebound.body.contains("rebinding"))
            #expect(try await get("/api/runs", [("Host", "attacker.example")]).status == 421)
        }
        #expect(HostCheck.allows("[::1]:8321", boundHost: "127.0.0.1"))
        #expect(HostCheck.allows("viewer.internal:8321", boundHost: "viewer.internal"))
        #expect(HostCheck.allows("anything.example", boundHost: "0.0.0.0"))
        #expect(!HostCheck.allows(nil, boundHost: "127.0.0.1"))
    }

    @Test func theMonitorRoleSeesProgressButNoText() async throws {
        let database = try await TestPostgres.database()
        try await TestRoles.apply(to: database)
        let run = try await ViewerHarness.submit(database, "watched", [("List four planets and one fact about each.", "")])
        try await ViewerHarness.finish(database, run) { .accepted(Self.rewrite($0)) }
        let monitor = try Database(
            settings: TestRoles.settings("treeinstruct_monitor", like: database), schema: database.schema, maxConnections: 2,
            logger: database.logger)
        try await monitor.withRunning { monitor in
            try await ViewerHarness.withViewer(monitor.queue) { get in
                #expect(try await get("/", []).status == 200)
                let runPage = try await get("/runs/\(run.id)", [])
                #expect(runPage.status == 200 && runPage.body.contains("Attempts per minute"))
                let rows = try await get("/runs/\(run.id)/rows", [])
                #expect(rows.status == 403 && rows.body.contains("coordinator role"))
                #expect(!rows.body.contains("planets"))
                #expect(try await get("/runs/\(run.id)/rows/1", []).status == 403)
            }
        }
    }
}
