@testable import EndpointSimulator
import Testing

/// The multipart parser and the batch timeline, without a server.
@Suite("Batch parts")
struct BatchUnitTests {
    @Test func boundaryIsReadQuotedOrNot() {
        #expect(MultipartForm.boundary(ofContentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(MultipartForm.boundary(ofContentType: "Multipart/Form-Data;charset=utf-8; boundary=\"a b\"") == "a b")
        #expect(MultipartForm.boundary(ofContentType: "application/json") == nil)
        #expect(MultipartForm.boundary(ofContentType: "multipart/form-data") == nil)
    }

    @Test func partsAreSplitWithAPreambleAndBinaryContent() throws {
        let body = Array(
            ("preamble\r\n--xyz\r\ncontent-disposition: form-data; name=purpose\r\n\r\nbatch\r\n"
                + "--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"in.jsonl\"\r\nContent-Type: text/plain\r\n\r\n"
                + "line one\r\n--xy not the end\n\r\n--xyz--\r\n").utf8)
        let form = try MultipartForm.parse(body, boundary: "xyz").get()
        #expect(form.parts.count == 2)
        #expect(form.first(named: "purpose").map { String(decoding: $0.bytes, as: UTF8.self) } == "batch")
        #expect(form.first(named: "file")?.filename == "in.jsonl")
        #expect(form.first(named: "file").map { String(decoding: $0.bytes, as: UTF8.self) } == "line one\r\n--xy not the end\n")
        #expect(throws: MultipartForm.FormError.self) { try MultipartForm.parse(Array("--xyz\r\n\r\nno end".utf8), boundary: "xyz").get() }
    }

    @Test func timelinePassesEachStatusAndPacesRequests() {
        let profile = BatchProfile(completionDelay: .seconds(10))
        var timeline = BatchTimeline(created: 0, profile: profile, chosenToExpire: false, failsValidation: false)
        #expect(timeline.status(at: 0.5) == .validating)
        #expect(timeline.status(at: 1) == .inProgress && timeline.processed(of: 100, at: 1) == 0)
        #expect(timeline.processed(of: 100, at: 5) == 50)
        #expect(timeline.status(at: 9.5) == .finalizing && timeline.processed(of: 100, at: 9.5) == 100)
        #expect(timeline.status(at: 10) == .completed)
        let cancelled = timeline.cancel(at: 3)
        #expect(cancelled)
        #expect(timeline.status(at: 3.5) == .cancelling && timeline.status(at: 4) == .cancelled)
        #expect(timeline.processed(of: 100, at: 20) == 25)
        let cancelledAgain = timeline.cancel(at: 5)
        #expect(!cancelledAgain)

        let late = BatchTimeline(
            created: 0, profile: .init(completionDelay: .seconds(10), window: .seconds(5)), chosenToExpire: false, failsValidation: false)
        #expect(late.status(at: 4.9) == .inProgress && late.status(at: 5) == .expired)
        let chosen = BatchTimeline(
            created: 0, profile: .init(completionDelay: .seconds(1), window: .seconds(11)), chosenToExpire: true, failsValidation: false)
        #expect(chosen.status(at: 10) == .inProgress && chosen.status(at: 11) == .expired && chosen.processed(of: 10, at: 11) == 5)
    }
}
