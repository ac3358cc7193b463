import Testing
@testable import TreeInstructCore

@Suite("Prompts")
struct PromptTests {
    @Test func structuredPromptCarriesTheRulesAndTheInput() throws {
        let settings = RewriteSettings(nodesToAdd: 4, minAddedWords: 12, maxWords: 90)
        let prompt = RewritePrompt.make(instruction: "Summarize the text below.", input: "The cat sat on the mat.", settings: settings)
        let user = try #require(prompt.messages.last?.content)
        #expect(prompt.messages.first?.role == .system)
        #expect(user.contains("exactly 4 new nodes"))
        #expect(user.contains("between 16 and 90 words"))  // 4 words + 12
        #expect(user.contains("The cat sat on the mat."))
        #expect(user.contains("Summarize the text below."))
        #expect(prompt.responseSchema?.name == "tree_instruct_rewrite")
    }

    @Test func schemaPinsTheAddedCount() throws {
        let schema = RewritePrompt.schema(nodesToAdd: 3)
        let added = try #require(schema["properties"]?["added_nodes"])
        #expect(added["minItems"] == .number(3))
        #expect(added["maxItems"] == .number(3))
        #expect(schema["additionalProperties"] == .bool(false))
        #expect(schema["required"] == ["original_tree", "expanded_tree", "added_nodes", "new_instruction"])
        #expect(schema["$defs"]?["node"]?["required"] == ["label", "children"])
    }

    @Test func plainPromptHasNoSchemaAndAsksForTheInstructionOnly() throws {
        let prompt = RewritePrompt.make(instruction: "Write a haiku.", input: "", settings: RewriteSettings(template: .plain))
        #expect(prompt.responseSchema == nil)
        let user = try #require(prompt.messages.last?.content)
        #expect(user.contains("Reply with the new instruction only"))
        #expect(!user.contains("Input:"))
    }

    @Test func responsePromptKeepsTheInput() {
        let prompt = ResponsePrompt.make(instruction: "Translate to French.", input: "Good morning")
        #expect(prompt.messages.last?.content == "Translate to French.\n\nGood morning")
        #expect(prompt.responseSchema == nil)
    }
}

@Suite("Content hash")
struct ContentHashTests {
    @Test func stableAndFolded() {
        let hash = ContentHash(instruction: "Name a color.", input: "")
        #expect(hash.hex.count == 64)
        #expect(hash == ContentHash(instruction: "  Name   a\r\ncolor. ", input: ""))
        #expect(hash.hex == ContentHash(instruction: "Name a color.", input: "").hex)
        #expect(hash != ContentHash(instruction: "name a color.", input: ""))
    }

    @Test func fieldsDoNotRunTogether() {
        #expect(ContentHash(instruction: "ab", input: "c") != ContentHash(instruction: "a", input: "bc"))
        #expect(ContentHash(instruction: "a", input: "") != ContentHash(instruction: "", input: "a"))
    }

    /// The hash folds white space on bytes and counts words without building them: the same
    /// answers as the string functions the validator uses, on every kind of text.
    @Test(arguments: [
        "", "  ", "Give three tips for staying healthy.", "  a \n\t b\u{3000}c ", "x\u{00A0}\u{2009}y\u{85}z",
        "It's a well-known fact — isn't it?", "给出三个建议 and 東京's", "-dash- 'quote' ’tis a-", "crème BRÛLÉE\r\n\r\n",
        "emoji 👍🏽 word", "a'b' c-'d", "٣ أرقام عربية", "MiXeD ÉCOLE Straße İstanbul ΣΑΣ", "\u{2028}line\u{2029}para",
    ])
    func bytePathsMatchTheStringFunctions(text: String) {
        var folded: [UInt8] = [0x41]
        TextNormalization.appendFoldedWhitespace(text, to: &folded)
        #expect(folded == [0x41] + Array(TextNormalization.foldWhitespace(text).utf8))
        #expect(TextNormalization.wordCount(text) == TextNormalization.words(text).count)
        #expect(TextNormalization.words(text) == Self.wordsByScalars(text))
    }

    /// `words(_:)` as it was written on scalars (before it read bytes), kept as the reference.
    static func wordsByScalars(_ text: String) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        func flush() {
            if !current.isEmpty { words.append(String(current).lowercased()) }
            current = String.UnicodeScalarView()
        }
        var scalars = text.unicodeScalars.makeIterator()
        var next = scalars.next()
        while let scalar = next {
            next = scalars.next()
            if TextNormalization.isSingleCharacterWord(scalar) {
                flush()
                words.append(String(scalar))
            } else if TextNormalization.isWordScalar(scalar) {
                current.append(scalar)
            } else if (scalar == "'" || scalar == "’" || scalar == "-"), !current.isEmpty, let following = next,
                TextNormalization.isWordScalar(following)
            {
                current.append(scalar)
            } else {
                flush()
            }
        }
        flush()
        return words
    }

    @Test func knownValue() {
        // Pinned: changing the encoding would silently break de-duplication of stored runs.
        // SHA-256 of "treeinstruct-content-v1" then each field as a big-endian UInt64 length and its UTF-8.
        #expect(
            ContentHash(instruction: "Give three tips for staying healthy.", input: "").hex
                == "a1f3f4a74a9170caf316c2e5e600b47cd320a437eb2b8b3cfd6e176e1b46f101")
    }
}

@Suite("Text")
struct TextTests {
    @Test func wordCounting() {
        #expect(TextNormalization.wordCount("Give three tips for staying healthy.") == 6)
        #expect(TextNormalization.wordCount("It's a well-known fact — isn't it?") == 6)
        #expect(TextNormalization.wordCount("给出三个建议") == 6)
        #expect(TextNormalization.wordCount("  ") == 0)
    }

    @Test func scripts() {
        #expect(Script.dominant(in: "Hello world") == .latin)
        #expect(Script.dominant(in: "Привет мир") == .cyrillic)
        #expect(Script.dominant(in: "你好世界") == .cjk)
        #expect(Script.dominant(in: "a1") == nil)
        #expect(Script.dominant(in: "Traduis « bonjour » en arabe : مرحبا") == .latin, "21 Latin letters against 5 Arabic")
        #expect(Script.dominant(in: "abc αβγ") == .greek, "a tie goes to the name that sorts first")
        #expect(Script.dominant(in: "Ça été dégagé") == .latin, "accented letters are Latin")
    }
}

@Suite("Prompt reader")
struct PromptReaderTests {
    @Test(arguments: RewriteTemplate.allCases)
    func readsBackWhatTheBuildersWrite(template: RewriteTemplate) {
        let settings = RewriteSettings(nodesToAdd: 5, minAddedWords: 12, maxWords: 80, template: template)
        let instruction = "Classify the review below.\nUse one word."
        let prompt = RewritePrompt.make(instruction: instruction, input: "Great food, slow service.", settings: settings)
        #expect(PromptReader.read(prompt.messages) == .rewrite(instruction: instruction, input: "Great food, slow service.", settings: settings))
    }

    @Test func readsTheRespondStage() {
        #expect(PromptReader.read(ResponsePrompt.make(instruction: "Add 2 and 3.", input: "").messages) == .respond(text: "Add 2 and 3."))
        #expect(PromptReader.read([ChatMessage(.user, "hello")]) == nil)
    }
}
