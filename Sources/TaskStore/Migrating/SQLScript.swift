/// Splits a SQL file into statements at top-level semicolons, skipping those inside quotes,
/// quoted identifiers, dollar-quoted bodies and comments: the extended query protocol takes
/// one statement at a time.
public enum SQLScript {
    public static func statements(_ script: String) -> [String] {
        let characters = Array(script)
        var statements: [String] = []
        var start = 0
        var index = 0
        func peek(_ offset: Int) -> Character? { index + offset < characters.count ? characters[index + offset] : nil }
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "'", "\"":
                index += 1
                while index < characters.count {
                    if characters[index] == character {
                        if peek(1) == character { index += 2; continue }  // doubled quote
                        break
                    }
                    index += 1
                }
            case "-" where peek(1) == "-":
                while index < characters.count, characters[index] != "\n" { index += 1 }
            case "/" where peek(1) == "*":
                index += 2
                while index < characters.count, !(characters[index] == "*" && peek(1) == "/") { index += 1 }
                index += 1
            case "$":
                var end = index + 1
                while end < characters.count, characters[end].isLetter || characters[end].isNumber || characters[end] == "_" { end += 1 }
                if end < characters.count, characters[end] == "$", !(index > 0 && (characters[index - 1].isLetter || characters[index - 1].isNumber))
                {
                    let tag = Array(characters[index...end])
                    index = end + 1
                    while index + tag.count <= characters.count, Array(characters[index..<index + tag.count]) != tag { index += 1 }
                    index += tag.count - 1
                }
            case ";":
                append(characters[start..<index])
                start = index + 1
            default:
                break
            }
            index += 1
        }
        if start < characters.count { append(characters[start...]) }
        return statements

        func append(_ slice: ArraySlice<Character>) {
            let text = String(slice).trimmingCharacters(in: .whitespacesAndNewlines)
            if !Self.isOnlyComments(text) { statements.append(text) }
        }
    }

    static func isOnlyComments(_ text: String) -> Bool {
        text.split(separator: "\n").allSatisfy { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty || trimmed.hasPrefix("--")
        }
    }
}

import Foundation
