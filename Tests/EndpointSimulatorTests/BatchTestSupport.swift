import AsyncHTTPClient
import EndpointSimulator
import Foundation
import Testing
import TreeInstructCore

/// The Batch API as a client uses it: multipart uploads, batch creation, polling and
/// downloads, over real HTTP against a harness's simulator.
extension SimulatorHarness {
    static let boundary = "----treeinstruct-test-7d1f"

    /// A multipart/form-data upload; a nil purpose or file leaves that field out.
    func upload(
        _ jsonl: String?, purpose: String? = "batch", filename: String = "input.jsonl", headers: [(String, String)] = []
    ) async throws -> Reply {
        var form = ""
        if let purpose { form += "--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n\(purpose)\r\n" }
        if let jsonl {
            form += "--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\n"
            form += "Content-Type: application/jsonl\r\n\r\n\(jsonl)\r\n"
        }
        form += "--\(Self.boundary)--\r\n"
        return try await send(
            .POST, "/v1/files", body: form, headers: headers, contentType: "multipart/form-data; boundary=\(Self.boundary)")
    }

    /// Uploads `jsonl` and creates a batch of it; the new batch object.
    func startBatch(_ jsonl: String, metadata: String = "null") async throws -> JSONValue {
        let file = try await upload(jsonl)
        #expect(file.status == 200, "\(file.body)")
        let fileID = try #require(file.json?["id"]?.string)
        let body = "{\"input_file_id\":\"\(fileID)\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\",\"metadata\":\(metadata)}"
        let created = try await send(.POST, "/v1/batches", body: body)
        #expect(created.status == 200, "\(created.body)")
        return try #require(created.json)
    }

    /// Polls the batch until its status is one of `statuses`; its object then.
    func waitForBatch(_ id: String, until statuses: Set<String>, within limit: Duration = .seconds(20)) async throws -> JSONValue {
        let deadline = ContinuousClock.now + limit
        while true {
            let batch = try #require(try await send(.GET, "/v1/batches/\(id)").json)
            if let status = batch["status"]?.string, statuses.contains(status) { return batch }
            guard ContinuousClock.now < deadline else {
                Issue.record("batch \(id) still \(batch["status"]?.string ?? "?")")
                return batch
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The JSON lines of a file (none for a null id).
    func lines(ofFile id: JSONValue?) async throws -> [JSONValue] {
        guard let id = id?.string else { return [] }
        let reply = try await send(.GET, "/v1/files/\(id)/content")
        #expect(reply.status == 200)
        return try reply.body.split(separator: "\n").map { try JSONValue.parse(String($0)) }
    }

    /// A JSONL input file of chat requests, custom ids `request-0`, `request-1`, ….
    static func batchInput(count: Int, extra: String = "") -> String {
        (0..<count).map { index in
            let prompt = RewritePrompt.make(
                instruction: "Explain topic number \(index) of the copper wiring course.", input: "", settings: RewriteSettings(nodesToAdd: 2))
            return "{\"custom_id\":\"request-\(index)\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":\(body(prompt, extra: extra))}"
        }.joined(separator: "\n") + "\n"
    }
}

extension JSONValue {
    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var array: [JSONValue] {
        if case .array(let items) = self { return items }
        return []
    }
}
