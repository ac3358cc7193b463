import EndpointSimulator
import NIOHTTP1
import Testing
import TreeInstructCore

/// Uploads the simulator refuses, each with a 400 that names the line or field, and the API
/// key on every Files and Batches route.
@Suite("Batch uploads refused and authorised")
struct BatchUploadTests {
    static let good =
        "{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}"

    static func refusal(_ reply: SimulatorHarness.Reply) -> (message: String, param: String?, code: String?) {
        (reply.json?["error"]?["message"]?.string ?? "", reply.json?["error"]?["param"]?.string, reply.json?["error"]?["code"]?.string)
    }

    @Test func badLinesAreRefusedNamingTheLine() async throws {
        try await SimulatorHarness.with(.init(batch: .init(maxRequests: 3, maxFileBytes: 2000))) { sim in
            let notJSON = try await sim.upload(Self.good + "\n{not json\n")
            #expect(notJSON.status == 400 && Self.refusal(notJSON).message.hasPrefix("Line 2 "))
            #expect(notJSON.errorType == "invalid_request_error" && notJSON.header("x-treeinstruct-simulator") == "1")

            let noCustomID = try await sim.upload(Self.good + "\n" + Self.good.replacingOccurrences(of: "\"custom_id\":\"a\",", with: ""))
            #expect(noCustomID.status == 400 && Self.refusal(noCustomID).message.contains("Line 2 has no custom_id"))

            let noBody = try await sim.upload("{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\"}")
            #expect(noBody.status == 400 && Self.refusal(noBody).message.contains("Line 1 has no body"))

            let duplicate = try await sim.upload(
                [Self.good, Self.good.replacingOccurrences(of: "\"a\"", with: "\"b\""), Self.good].joined(separator: "\n"))
            #expect(duplicate.status == 400 && Self.refusal(duplicate).code == "duplicate_custom_id")
            #expect(Self.refusal(duplicate).message.hasPrefix("Line 3 repeats custom_id \"a\" of line 1"))

            let otherURL = try await sim.upload(Self.good.replacingOccurrences(of: "/v1/chat/completions", with: "/v1/embeddings"))
            #expect(otherURL.status == 400 && Self.refusal(otherURL).code == "invalid_url")

            let tooMany = (0..<4).map { Self.good.replacingOccurrences(of: "\"a\"", with: "\"id\($0)\"") }.joined(separator: "\n")
            let refusedMany = try await sim.upload(tooMany)
            #expect(refusedMany.status == 400 && Self.refusal(refusedMany).code == "too_many_requests_in_file")

            let tooLarge = try await sim.upload(Self.good + "\n" + String(repeating: " ", count: 2000))
            #expect(tooLarge.status == 400 && Self.refusal(tooLarge).code == "file_too_large")

            let empty = try await sim.upload("")
            #expect(empty.status == 400 && Self.refusal(empty).param == "file")
            #expect(try await sim.stats()["batches"]?["files_uploaded"]?.int == 0)
        }
    }

    @Test func purposeAndFileFieldsAreRequired() async throws {
        try await SimulatorHarness.with(.init()) { sim in
            let wrong = try await sim.upload(Self.good, purpose: "fine-tune")
            #expect(wrong.status == 400 && Self.refusal(wrong).param == "purpose")
            let missing = try await sim.upload(Self.good, purpose: nil)
            #expect(missing.status == 400 && Self.refusal(missing).param == "purpose")
            let noFile = try await sim.upload(nil)
            #expect(noFile.status == 400 && Self.refusal(noFile).param == "file")
            let notAForm = try await sim.send(.POST, "/v1/files", body: Self.good)
            #expect(notAForm.status == 400)
            let ok = try await sim.upload(Self.good)
            #expect(ok.status == 200)
            let id = try #require(ok.json?["id"]?.string)
            #expect(try await sim.send(.DELETE, "/v1/files/\(id)").json?["deleted"] == true)
            #expect(try await sim.send(.GET, "/v1/files/\(id)").status == 404)
            #expect(try await sim.send(.GET, "/v1/batches/batch_nope").status == 404)
        }
    }

    @Test func everyRouteNeedsTheKeyWhenOneIsSet() async throws {
        try await SimulatorHarness.with(.init(apiKey: "sk-batch-test", batch: .init(completionDelay: .milliseconds(100)))) { sim in
            let key = [("Authorization", "Bearer sk-batch-test")]
            let refused = try await sim.upload(Self.good)
            #expect(refused.status == 401 && refused.header("x-treeinstruct-simulator") == "1")
            let file = try await sim.upload(Self.good, headers: key)
            #expect(file.status == 200)
            let id = try #require(file.json?["id"]?.string)
            let routes: [(HTTPMethod, String)] = [
                (.GET, "/v1/files/\(id)"), (.GET, "/v1/files/\(id)/content"), (.DELETE, "/v1/files/\(id)"),
                (.GET, "/v1/batches"), (.GET, "/v1/batches/batch_x"), (.POST, "/v1/batches/batch_x/cancel"),
            ]
            for (method, path) in routes {
                #expect(try await sim.send(method, path).status == 401, "\(path)")
            }
            let body = "{\"input_file_id\":\"\(id)\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}"
            #expect(try await sim.send(.POST, "/v1/batches", body: body).status == 401)
            #expect(try await sim.send(.POST, "/v1/batches", body: body, headers: key).status == 200)
        }
    }
}
