@testable import EndpointSimulator
import Testing
import TreeInstructCore

/// The hand-written JSON strings must parse back to exactly what was written.
@Suite("JSON text")
struct JSONTextTests {
    @Test(arguments: ["", "plain", "say \"hi\"", "back\\slash", "line\nbreak\r\ttab", "\u{0}\u{1}\u{1F}", "naïve café 東京 👩‍👩‍👧", "\"\\\"\\"])
    func quotedStringsRoundTrip(text: String) throws {
        #expect(try JSONValue.parse(JSONText.quoted(text)) == .string(text))
    }
}
