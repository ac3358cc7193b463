import Foundation
import Testing
import TreeInstructCore

@Suite("JSON parser")
struct JSONParserTests {
    @Test func parsesEveryKind() throws {
        let value = try JSONValue.parse(
            #" {"s": "a\"b\\c\/d\n\u00e9\ud83d\ude00", "n": -12.5e1, "z": 0, "t": true, "f": false, "nil": null, "a": [1, [2], {}]} "#)
        #expect(value["s"] == .string("a\"b\\c/d\né😀"))
        #expect(value["n"] == .number(-125))
        #expect(value["z"] == .number(0))
        #expect(value["t"] == .bool(true))
        #expect(value["f"] == .bool(false))
        #expect(value["nil"] == .null)
        #expect(value["a"] == .array([.number(1), .array([.number(2)]), .object([:])]))
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\" 1}", "{\"a\": 1,}", "01", "1.", "-", "tru", "\"unterminated", "\"bad \\x escape\"",
        "\"\\ud800\"", "{} {}", "[1 2]", "\"tab\there\"", "NaN", "'single'",
    ])
    func rejectsInvalidJSON(text: String) {
        #expect(throws: JSONParser.SyntaxError.self) { try JSONValue.parse(text) }
    }

    @Test func errorsCarryAColumn() {
        do {
            _ = try JSONValue.parse(#"{"a": 1 "b": 2}"#)
            Issue.record("expected an error")
        } catch {
            #expect(error.column == 9)
            #expect(error.description == "expected ',' or '}' at column 9")
        }
    }

    @Test func refusesPathologicalNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParser.SyntaxError.self) { try JSONValue.parse(deep) }
    }

    @Test func compactTextIsStable() throws {
        let value: JSONValue = ["b": [1, 2.5, "x"], "a": true, "c": .null]
        #expect(value.compactText == #"{"a":true,"b":[1,2.5,"x"],"c":null}"#)
        #expect(try JSONValue.parse(value.compactText) == value)
    }

    @Test func compactTextEscapesWhatJSONRequires() throws {
        let hostile = "quote \" backslash \\ new\nline tab\t bell\u{07} nul-free \u{1F} emoji 🧪 rtl שלום / slash"
        let value: JSONValue = ["text": .string(hostile), "big": 1e20, "tiny": 0.000125, "negative": -3]
        let text = value.compactText
        #expect(text.contains(#"\u0007"#) && text.contains(#"\u001f"#) && text.contains(#"\""#) && text.contains(#"\n"#))
        #expect(try JSONValue.parse(text) == value)
        let viaFoundation = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect(viaFoundation?["text"] as? String == hostile)
    }

    @Test func wordsFoldCaseAndKeepInnerApostrophesAndHyphens() {
        #expect(
            TextNormalization.words("The TWO-step Plan’s HTTP2 crème BRÛLÉE, -dash- 東京") == [
                "the", "two-step", "plan’s", "http2", "crème", "brûlée", "dash", "東", "京",
            ])
        #expect(TextNormalization.trimmed("\u{2028}  \n text \t\u{A0}") == "text")
        #expect(TextNormalization.foldWhitespace("  a \n\t b\u{3000}c ") == "a b c")
    }
}
