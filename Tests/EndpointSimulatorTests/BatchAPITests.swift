import EndpointSimulator
import Foundation
import Testing
import TreeInstructCore

/// The Batch API end to end over HTTP: upload, create, poll, download, with faults, expiry,
/// cancellation and listing.
@Suite("Batch API over HTTP")
struct BatchAPITests {
    static func configuration(_ batch: BatchProfile, apiKey: String? = nil) -> SimulatorConfiguration {
        .init(apiKey: apiKey, seed: 7, batch: batch)
    }

    static func customIDs(_ lines: [JSONValue]) -> [String] { lines.compactMap { $0["custom_id"]?.string } }

    @Test func uploadCreatePollAndDownloadAnswersEveryRequestOnce() async throws {
        try await SimulatorHarness.with(Self.configuration(.init(completionDelay: .milliseconds(600)))) { sim in
            let input = SimulatorHarness.batchInput(count: 12)
            let file = try await sim.upload(input, filename: "rewrites.jsonl")
            #expect(file.status == 200)
            #expect(file.header("x-treeinstruct-simulator") == "1")
            let fileObject = try #require(file.json)
            #expect(fileObject["object"] == "file" && fileObject["purpose"] == "batch" && fileObject["filename"] == "rewrites.jsonl")
            #expect(fileObject["bytes"]?.int == input.utf8.count)
            let fileID = try #require(fileObject["id"]?.string)
            #expect(fileID.hasPrefix("file-"))
            #expect(try await sim.send(.GET, "/v1/files/\(fileID)").json == fileObject)
            #expect(try await sim.send(.GET, "/v1/files/\(fileID)/content").body == input)

            let body =
                "{\"input_file_id\":\"\(fileID)\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\",\"metadata\":{\"run\":\"r1\"}}"
            let created = try #require(try await sim.send(.POST, "/v1/batches", body: body).json)
            let id = try #require(created["id"]?.string)
            #expect(id.hasPrefix("batch_") && created["object"] == "batch" && created["status"] == "validating")
            #expect(created["input_file_id"]?.string == fileID && created["metadata"]?["run"] == "r1")
            for field in ["output_file_id", "error_file_id", "in_progress_at", "completed_at", "failed_at", "cancelled_at", "errors"] {
                #expect(created[field] == .null, "\(field)")
            }
            #expect(created["request_counts"]?["total"]?.int == 12)

            let done = try await sim.waitForBatch(id, until: ["completed", "failed", "expired", "cancelled"])
            #expect(done["status"] == "completed")
            for field in ["in_progress_at", "finalizing_at", "completed_at", "output_file_id"] { #expect(done[field] != .null, "\(field)") }
            #expect(done["error_file_id"] == .null)
            #expect(done["request_counts"]?["completed"]?.int == 12 && done["request_counts"]?["failed"]?.int == 0)

            let output = try await sim.lines(ofFile: done["output_file_id"])
            let ids = Self.customIDs(output)
            #expect(ids.sorted() == (0..<12).map { "request-\($0)" }.sorted())
            #expect(ids != (0..<12).map { "request-\($0)" }, "lines come shuffled")
            let inputBodies = try input.split(separator: "\n").map { try JSONValue.parse(String($0)) }
            for line in output {
                #expect(line["id"]?.string?.hasPrefix("batch_req_") == true && line["error"] == .null)
                #expect(line["response"]?["status_code"]?.int == 200)
                let completion = try #require(line["response"]?["body"])
                #expect(completion["object"] == "chat.completion")
                // The live endpoint answers the same body with the same content.
                let request = try #require(inputBodies.first { $0["custom_id"] == line["custom_id"] }?["body"])
                let live = try await sim.send(.POST, "/v1/chat/completions", body: request.compactText)
                #expect(live.json?["choices"] == completion["choices"])
            }
            // Reading it again runs nothing again.
            _ = try await sim.send(.GET, "/v1/batches/\(id)")
            _ = try await sim.send(.GET, "/v1/batches")
            let stats = try #require(try await sim.stats()["batches"])
            #expect(stats["batches_created"]?.int == 1 && stats["requests_executed"]?.int == 12 && stats["requests_answered"]?.int == 12)
        }
    }

    @Test func failedRequestsGoToTheErrorFileAndTheFilesPartitionTheInput() async throws {
        try await SimulatorHarness.with(Self.configuration(.init(completionDelay: .milliseconds(300), failureRate: 0.5))) { sim in
            let created = try await sim.startBatch(SimulatorHarness.batchInput(count: 40))
            let done = try await sim.waitForBatch(try #require(created["id"]?.string), until: ["completed"])
            let output = try await sim.lines(ofFile: done["output_file_id"])
            let errors = try await sim.lines(ofFile: done["error_file_id"])
            #expect(!output.isEmpty && !errors.isEmpty)
            for line in errors {
                #expect(line["response"]?["status_code"]?.int == 500)
                #expect(line["response"]?["body"]?["error"]?["type"] == "server_error")
                #expect(line["error"] == .null)
            }
            let all = Self.customIDs(output) + Self.customIDs(errors)
            #expect(all.sorted() == (0..<40).map { "request-\($0)" }.sorted())
            #expect(done["request_counts"]?["failed"]?.int == errors.count && done["request_counts"]?["completed"]?.int == output.count)
            #expect(try await sim.stats()["batches"]?["requests_executed"]?.int == 40)
        }
    }

    @Test func anExpiredBatchAnswersPartAndMarksTheRestExpired() async throws {
        let profile = BatchProfile(completionDelay: .milliseconds(200), window: .seconds(1), expireEvery: 2)
        try await SimulatorHarness.with(Self.configuration(profile)) { sim in
            let first = try await sim.startBatch(SimulatorHarness.batchInput(count: 4))
            let second = try await sim.startBatch(SimulatorHarness.batchInput(count: 20))
            #expect(try await sim.waitForBatch(try #require(first["id"]?.string), until: ["completed", "expired"])["status"] == "completed")
            let expired = try await sim.waitForBatch(try #require(second["id"]?.string), until: ["completed", "expired"])
            #expect(expired["status"] == "expired" && expired["expired_at"] != .null && expired["completed_at"] == .null)
            let output = try await sim.lines(ofFile: expired["output_file_id"])
            let errors = try await sim.lines(ofFile: expired["error_file_id"])
            #expect(output.count == 10 && errors.count == 10)
            for line in errors {
                #expect(line["response"] == .null && line["error"]?["code"] == "batch_expired")
                #expect(line["error"]?["message"] == "This request could not be executed before the completion window expired.")
            }
            #expect((Self.customIDs(output) + Self.customIDs(errors)).sorted() == (0..<20).map { "request-\($0)" }.sorted())
            let stats = try #require(try await sim.stats()["batches"])
            #expect(stats["requests_executed"]?.int == 14 && stats["requests_expired"]?.int == 10 && stats["batches_expired"]?.int == 1)
        }
    }

    @Test func cancellingKeepsTheAnsweredAndMarksTheRestCancelled() async throws {
        try await SimulatorHarness.with(Self.configuration(.init(completionDelay: .seconds(4)))) { sim in
            let id = try #require(try await sim.startBatch(SimulatorHarness.batchInput(count: 30))["id"]?.string)
            _ = try await sim.waitForBatch(id, until: ["in_progress"])
            try await Task.sleep(for: .milliseconds(800))
            let cancelling = try await sim.send(.POST, "/v1/batches/\(id)/cancel")
            #expect(cancelling.status == 200 && cancelling.json?["status"] == "cancelling" && cancelling.json?["cancelling_at"] != .null)
            let cancelled = try await sim.waitForBatch(id, until: ["cancelled", "completed"])
            #expect(cancelled["status"] == "cancelled" && cancelled["cancelled_at"] != .null && cancelled["completed_at"] == .null)
            let output = try await sim.lines(ofFile: cancelled["output_file_id"])
            let errors = try await sim.lines(ofFile: cancelled["error_file_id"])
            #expect(!output.isEmpty && !errors.isEmpty, "\(output.count) answered, \(errors.count) cancelled")
            #expect(output.count == cancelled["request_counts"]?["completed"]?.int)
            #expect(errors.allSatisfy { $0["error"]?["code"] == "batch_cancelled" && $0["response"] == .null })
            #expect((Self.customIDs(output) + Self.customIDs(errors)).sorted() == (0..<30).map { "request-\($0)" }.sorted())
            let again = try await sim.send(.POST, "/v1/batches/\(id)/cancel")
            #expect(again.status == 400)
        }
    }

    @Test func listingPagesNewestFirst() async throws {
        try await SimulatorHarness.with(Self.configuration(.init(completionDelay: .milliseconds(100)))) { sim in
            var ids: [String] = []
            for _ in 0..<5 { ids.append(try #require(try await sim.startBatch(SimulatorHarness.batchInput(count: 1))["id"]?.string)) }
            let newestFirst = Array(ids.reversed())
            let first = try #require(try await sim.send(.GET, "/v1/batches?limit=2").json)
            #expect(first["object"] == "list" && first["has_more"] == true)
            #expect(first["data"]?.array.compactMap { $0["id"]?.string } == Array(newestFirst[0..<2]))
            #expect(first["first_id"]?.string == newestFirst[0] && first["last_id"]?.string == newestFirst[1])
            let second = try #require(try await sim.send(.GET, "/v1/batches?limit=2&after=\(newestFirst[1])").json)
            #expect(second["data"]?.array.compactMap { $0["id"]?.string } == Array(newestFirst[2..<4]) && second["has_more"] == true)
            let last = try #require(try await sim.send(.GET, "/v1/batches?limit=2&after=\(newestFirst[3])").json)
            #expect(last["data"]?.array.compactMap { $0["id"]?.string } == [newestFirst[4]] && last["has_more"] == false)
            #expect(try await sim.send(.GET, "/v1/batches?limit=0").status == 400)
            #expect(try await sim.send(.GET, "/v1/batches").json?["data"]?.array.count == 5)
        }
    }

    @Test func aBatchOfTwoModelsFailsValidation() async throws {
        try await SimulatorHarness.with(Self.configuration(.init(completionDelay: .milliseconds(100)))) { sim in
            let input = SimulatorHarness.batchInput(count: 3)
            let lines = input.split(separator: "\n").map(String.init)
            let others = lines.dropFirst().map { $0.replacingOccurrences(of: "\"model\":\"anything\"", with: "\"model\":\"other\"") }
            let mixed = ([lines[0]] + others).joined(separator: "\n")
            let id = try #require(try await sim.startBatch(mixed)["id"]?.string)
            let failed = try await sim.waitForBatch(id, until: ["failed", "completed"])
            #expect(failed["status"] == "failed" && failed["failed_at"] != .null && failed["output_file_id"] == .null)
            let error = try #require(failed["errors"]?["data"]?.array.first)
            #expect(error["code"] == "mismatched_model" && error["line"]?.int == 2)
        }
    }

    @Test func openBatchesAreLimited() async throws {
        try await SimulatorHarness.with(Self.configuration(.init(completionDelay: .seconds(30), maxOpenBatches: 1))) { sim in
            let id = try #require(try await sim.startBatch(SimulatorHarness.batchInput(count: 1))["id"]?.string)
            let fileID = try #require(try await sim.upload(SimulatorHarness.batchInput(count: 1)).json?["id"]?.string)
            let body = "{\"input_file_id\":\"\(fileID)\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}"
            let refused = try await sim.send(.POST, "/v1/batches", body: body)
            #expect(refused.status == 400 && refused.json?["error"]?["code"] == "batch_limit_exceeded")
            _ = try await sim.send(.POST, "/v1/batches/\(id)/cancel")
            _ = try await sim.waitForBatch(id, until: ["cancelled"])
            #expect(try await sim.send(.POST, "/v1/batches", body: body).status == 200)
        }
    }
}
