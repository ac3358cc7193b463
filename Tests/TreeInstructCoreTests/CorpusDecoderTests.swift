import Testing
import TreeInstructCore

@Suite("Corpus decoding")
struct CorpusDecoderTests {
    static func decode(_ text: String, _ format: CorpusFormat, maxRecordBytes: Int = 1 << 20) -> [CorpusItem] {
        CorpusDecoder.decodeAll(Array(text.utf8), format: format, file: "corpus.jsonl", maxRecordBytes: maxRecordBytes)
    }

    static func split(_ items: [CorpusItem]) -> (records: [InstructionRecord], errors: [CorpusError]) {
        var records: [InstructionRecord] = [], errors: [CorpusError] = []
        for item in items {
            switch item {
            case .record(let record): records.append(record)
            case .error(let error): errors.append(error)
            }
        }
        return (records, errors)
    }

    /// Every kind of bad line, between good ones: each good line is read, each bad one is one located error.
    @Test func mixedGoodAndBadLines() {
        var bytes: [UInt8] = []
        func line(_ text: String) { bytes += Array(text.utf8) + [0x0A] }
        line(#"{"instruction": "Name three primary colors.", "input": "", "output": "Red, blue, yellow."}"#)  // 1 good
        line(#"{"instruction": "Broken JSON", "input": "#)  // 2 broken JSON
        line(#"{"input": "no instruction here"}"#)  // 3 missing field
        line(#"{"instruction": "   ", "input": ""}"#)  // 4 empty instruction
        line(#"{"instruction": 42, "input": ""}"#)  // 5 wrong type
        line(#"{"instruction": "Translate.", "input": ["not", "a", "string"]}"#)  // 6 wrong type (input)
        bytes += Array(#"{"instruction": "Bad "#.utf8) + [0xC3, 0x28] + Array(#" bytes"}"#.utf8) + [0x0A]  // 7 invalid UTF-8
        bytes += Array(#"{"instruction": "NUL"#.utf8) + [0x00] + Array(#""}"#.utf8) + [0x0A]  // 8 NUL byte
        line(#"["an", "array"]"#)  // 9 not an object
        line(#"{"instruction": ""# + String(repeating: "x", count: 300) + #""}"#)  // 10 too long
        line("")  // 11 blank: skipped, not an error
        line(#"{"instruction": "Summarize the text.", "input": "Cats sleep a lot."}"#)  // 12 good
        bytes += Array(#"{"instruction": "Truncated last line"#.utf8)  // 13 truncated, no newline
        let (records, errors) = Self.split(CorpusDecoder.decodeAll(bytes, format: .alpaca, file: "mixed.jsonl", maxRecordBytes: 200))
        #expect(records.map(\.line) == [1, 12])
        #expect(records[1].input == "Cats sleep a lot.")
        #expect(records[0].referenceOutput == "Red, blue, yellow.")
        #expect(errors.map(\.line) == [2, 3, 4, 5, 6, 7, 8, 9, 10, 13])
        #expect(
            errors.map(\.reason.code) == [
                "broken_json", "missing_field", "empty_instruction", "wrong_type", "wrong_type",
                "invalid_utf8", "nul_byte", "not_an_object", "too_long", "broken_json",
            ])
        #expect(errors.allSatisfy { $0.file == "mixed.jsonl" })
        #expect(errors[3].description == #"mixed.jsonl:5: field "instruction" is number, expected a string"#)
        #expect(errors[4].description.contains(#""input""#))
    }

    @Test func crlfAndByteOrderMark() {
        let text = "\u{FEFF}{\"instruction\": \"First\"}\r\n{\"instruction\": \"Second\"}\r\n"
        let (records, errors) = Self.split(Self.decode(text, .alpaca))
        #expect(errors.isEmpty)
        #expect(records.map(\.instruction) == ["First", "Second"])
        #expect(records.map(\.line) == [1, 2])
    }

    /// Files joined with `cat` carry a BOM at the start of a later line: it is not part of the record.
    @Test func byteOrderMarkWhereFilesWereJoined() {
        let text = "{\"instruction\": \"First\"}\n\u{FEFF}{\"instruction\": \"Second\"}\r\n"
        let (records, errors) = Self.split(Self.decode(text, .alpaca))
        #expect(errors.isEmpty)
        #expect(records.map(\.instruction) == ["First", "Second"])
    }

    /// `\u0000` is valid JSON, but PostgreSQL text cannot hold it: rejected like a raw NUL.
    @Test func escapedNulIsRejected() {
        let text = #"{"instruction": "Fine", "input": "x\u0000y"}"# + "\n" + #"{"instruction": "Kept"}"# + "\n"
        let (records, errors) = Self.split(Self.decode(text, .alpaca))
        #expect(records.map(\.instruction) == ["Kept"])
        #expect(errors.map(\.line) == [1])
        #expect(errors.map(\.reason.code) == ["nul_byte"])
    }

    @Test func chunkBoundariesDoNotMatter() {
        let text = (1...50).map { #"{"instruction": "Task \#($0) ✓ with ünïcode", "input": "x"}"# }.joined(separator: "\n")
        let bytes = Array(text.utf8)
        let whole = Self.split(CorpusDecoder.decodeAll(bytes, format: .alpaca, file: "f")).records
        for chunkSize in [1, 2, 3, 7, 64] {
            var decoder = CorpusDecoder(format: .alpaca, file: "f")
            var items: [CorpusItem] = []
            var start = 0
            while start < bytes.count {
                let chunk = Array(bytes[start..<min(start + chunkSize, bytes.count)])
                chunk.withUnsafeBufferPointer { decoder.feed($0) { items.append($0) } }
                start += chunkSize
            }
            decoder.finish { items.append($0) }
            #expect(Self.split(items).records == whole, "chunk size \(chunkSize)")
        }
        #expect(whole.count == 50)
    }

    @Test func oversizedLineIsSkippedWithoutKeepingIt() {
        let huge = #"{"instruction": ""# + String(repeating: "y", count: 10_000) + #""}"#
        let text = huge + "\n" + #"{"instruction": "after"}"#
        let (records, errors) = Self.split(Self.decode(text, .alpaca, maxRecordBytes: 100))
        #expect(records.map(\.instruction) == ["after"])
        #expect(records.first?.line == 2)
        #expect(errors.count == 1)
        #expect(errors.first?.reason == .tooLong(bytes: huge.utf8.count, limit: 100))
    }

    @Test func shareGPT() {
        let text = """
            {"id": 7, "items": [{"from": "human", "value": "Name a planet."}, {"from": "gpt", "value": "Mars."}]}
            {"id": "b", "conversations": [{"from": "system", "value": "Be brief."}, {"from": "user", "value": "Say hi."}]}
            {"id": 9, "items": [{"from": "gpt", "value": "Orphan answer."}]}
            {"id": 10, "items": "not a list"}
            {"id": 11, "conversations": [{"role": "user", "content": "OpenAI-style turn."}, {"role": "assistant", "content": "Yes."}]}
            """
        let (records, errors) = Self.split(Self.decode(text, .sharegpt))
        #expect(records.map(\.instruction) == ["Name a planet.", "Say hi.", "OpenAI-style turn."])
        #expect(records.map(\.referenceOutput) == ["Mars.", nil, "Yes."])
        #expect(records.map(\.sourceID) == ["7", "b", "11"])
        #expect(errors.map(\.reason.code) == ["no_human_turn", "wrong_type"])
        #expect(errors.map(\.line) == [3, 4])
    }

    @Test func selfInstruct() {
        let text = """
            {"id": "seed_task_0", "instruction": "Classify the sentiment.", "instances": [{"input": "I love it.", "output": "positive"}]}
            {"id": "seed_task_1", "instruction": "Tell a joke.", "instances": []}
            {"id": "seed_task_2", "instruction": "Bad instances.", "instances": {"input": "x"}}
            """
        let (records, errors) = Self.split(Self.decode(text, .selfInstruct))
        #expect(records.map(\.input) == ["I love it.", ""])
        #expect(records.first?.referenceOutput == "positive")
        #expect(errors.map(\.reason.code) == ["wrong_type"])
    }

    @Test func plainText() {
        let (records, errors) = Self.split(Self.decode("  Write a haiku.  \n\nList two fruits.\r\n", .text))
        #expect(errors.isEmpty)
        #expect(records.map(\.instruction) == ["Write a haiku.", "List two fruits."])
        #expect(records.map(\.line) == [1, 3])
    }

    @Test func jsonArray() {
        let text = """
            [
              {"instruction": "First", "input": "a"},
              {"instruction": "Second, with [brackets] and \\"quotes\\"", "input": ""},
              {"instruction": 5},
              {"instruction": "Third"
            """
        let (records, errors) = Self.split(Self.decode(text, .alpacaArray))
        #expect(records.map(\.instruction) == ["First", "Second, with [brackets] and \"quotes\""])
        #expect(records.map(\.line) == [2, 3])
        #expect(errors.map(\.line) == [4, 5, 5])
        #expect(errors.map(\.reason.code) == ["wrong_type", "broken_json", "broken_json"])
    }

    @Test func formatDetection() {
        func detect(_ text: String) -> CorpusFormat { CorpusFormat.detect(head: Array(text.utf8)) }
        #expect(detect(#"{"instruction": "x", "input": ""}"#) == .alpaca)
        #expect(detect(#"{"instruction": "x", "items": []}"#) == .alpaca)
        #expect(detect(#"{"id": 1, "items": [{"from": "human", "value": "x"}]}"#) == .sharegpt)
        #expect(detect(#"{"instruction": "x", "instances": []}"#) == .selfInstruct)
        #expect(detect("\u{FEFF}  [ {\"instruction\": \"x\"} ]") == .alpacaArray)
        #expect(detect("Write a poem about rain.\nList three birds.") == .text)
        #expect(detect("{broken\n{\"conversations\": []}") == .sharegpt)
    }
}
