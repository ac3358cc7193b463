import TreeInstructCore

/// Writes the rewrite a diligent model would: a tree grounded in the instruction, exactly K new
/// labels from ``ModifierVocabulary`` that the instruction does not already contain, attached
/// in depth or width, and the instruction followed by sentences that use every new label,
/// lengthened to the prompt's minimum. When the bounds cannot be met (an instruction already
/// near the maximum, too few unused labels) it answers anyway and the validator rejects it,
/// as it would a model's answer.
public enum RewriteAnswerBuilder {
    public static func build(
        instruction: String, input: String, settings: RewriteSettings,
        random: inout SeededRandom
    ) -> RewriteAnswer {
        let original = OriginalTree.of(instruction, maxDepth: settings.maxDepth, random: &random)
        let entries = chooseEntries(count: settings.nodesToAdd, avoiding: instruction + "\n" + input, random: &random)
        let labels = entries.map(\.label)
        let expanded = TreeGrowth.grow(original, adding: labels, maxDepth: settings.maxDepth, random: &random)
        let text = write(instruction: instruction, entries: entries, settings: settings, random: &random)
        return RewriteAnswer(originalTree: original, expandedTree: expanded, addedLabels: labels, newInstruction: text)
    }

    /// `count` entries in random order, none with a content word the text already has
    /// (`ContentWords.appears`: equal, or sharing the first five letters of a long word).
    static func chooseEntries(count: Int, avoiding text: String, random: inout SeededRandom) -> [ModifierVocabulary.Entry] {
        guard count > 0 else { return [] }
        let present = Set(TextNormalization.words(text))
        let stems = Set(present.lazy.filter { $0.unicodeScalars.count >= 5 }.map { Self.stem($0) })
        func isFresh(_ index: Int) -> Bool {
            !ModifierVocabulary.labelContentWords[index].contains { word in
                present.contains(word) || (word.unicodeScalars.count >= 5 && stems.contains(Self.stem(word)))
            }
        }
        // A shuffle that stops once `count` fresh entries are drawn (Fisher-Yates, step by step):
        // an instruction shares words with few labels, so a handful are looked at, not all.
        var order = Array(ModifierVocabulary.entries.indices)
        var chosen: [ModifierVocabulary.Entry] = []
        var drawn = 0
        while chosen.count < count, drawn < order.count {
            order.swapAt(drawn, drawn + Int(random.next() % UInt64(order.count - drawn)))
            if isFresh(order[drawn]) { chosen.append(ModifierVocabulary.entries[order[drawn]]) }
            drawn += 1
        }
        return chosen
    }

    private static func stem(_ word: String) -> Substring { word.prefix(5) }

    /// The instruction, then the clauses of `entries` in sentences of up to three, fitted into
    /// the prompt's word range: short clauses, lengthened one by one while the text is below the
    /// minimum (never past the maximum), then padding sentences chosen to land in range; a terse
    /// list of the labels when even the short clauses exceed the maximum. Word counts are added
    /// up from the parts' precomputed counts, so the text is assembled only once.
    static func write(
        instruction: String, entries: [ModifierVocabulary.Entry], settings: RewriteSettings,
        random: inout SeededRandom
    ) -> String {
        let originalWords = TextNormalization.wordCount(instruction)
        let minimum = originalWords + settings.minAddedWords
        // When the range is empty (a long original), reach the minimum anyway: the validator
        // then rejects the answer as too long, as it would a model's.
        let maximum = max(settings.maxWords, minimum)
        let openers = (0..<(entries.count + 2) / 3).map { _ in
            ModifierVocabulary.openers.randomElement(using: &random) ?? ModifierVocabulary.openers[0]
        }
        let terseOpener = ModifierVocabulary.terseOpeners.randomElement(using: &random) ?? ModifierVocabulary.terseOpeners[0]

        var useLong = [Bool](repeating: false, count: entries.count)
        var terse = false
        var count = originalWords + clauseWords(entries, useLong, openers)
        if count > maximum, !entries.isEmpty {
            terse = true
            count = originalWords + ModifierVocabulary.wordCount(terseOpener) + listWords(entries.map { ModifierVocabulary.labelWords($0) })
        } else {
            for index in Array(entries.indices).shuffled(using: &random) where count < minimum {
                useLong[index] = true
                let longer = originalWords + clauseWords(entries, useLong, openers)
                if longer <= maximum { count = longer } else { useLong[index] = false }
            }
        }
        var padding = Array(ModifierVocabulary.paddingSentences.indices)
        var chosenPadding: [Int] = []
        while count < minimum {
            let need = minimum - count
            let fitting = padding.indices.filter { count + ModifierVocabulary.paddingWords[padding[$0]] <= maximum }
            let words = { (position: Int) in ModifierVocabulary.paddingWords[padding[position]] }
            guard
                let pick = fitting.filter({ words($0) >= need }).min(by: { words($0) < words($1) })
                    ?? fitting.max(by: { words($0) < words($1) })
            else { break }
            count += words(pick)
            chosenPadding.append(padding.remove(at: pick))
        }

        var sentences = [withClosingPunctuation(instruction.trimmingWhitespace())]
        if terse {
            sentences.append(terseOpener + " " + joinedAsList(entries.map(\.label)) + ".")
        } else {
            sentences += stride(from: 0, to: entries.count, by: 3).map { start in
                let group = start..<min(start + 3, entries.count)
                return openers[start / 3] + " " + joinedAsList(group.map { useLong[$0] ? entries[$0].longClause : entries[$0].shortClause }) + "."
            }
        }
        sentences += chosenPadding.map { ModifierVocabulary.paddingSentences[$0] }
        return sentences.joined(separator: " ")
    }

    /// Words of the clause sentences: each opener, its clauses, and the "and" before the last.
    private static func clauseWords(_ entries: [ModifierVocabulary.Entry], _ useLong: [Bool], _ openers: [String]) -> Int {
        stride(from: 0, to: entries.count, by: 3).reduce(0) { total, start in
            let group = start..<min(start + 3, entries.count)
            let clauses = group.map { ModifierVocabulary.clauseWords(entries[$0], long: useLong[$0]) }
            return total + ModifierVocabulary.wordCount(openers[start / 3]) + listWords(clauses)
        }
    }

    /// Words of a list joined by ``joinedAsList(_:)``: the items plus "and" when there are two or more.
    private static func listWords(_ items: [Int]) -> Int {
        items.reduce(0, +) + (items.count > 1 ? 1 : 0)
    }

    private static func joinedAsList(_ items: [String]) -> String {
        guard items.count > 1, let last = items.last else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " and " + last
    }

    /// A full stop after an instruction that ends without one, so the added sentences start clean.
    static func withClosingPunctuation(_ text: String) -> String {
        guard let last = text.last else { return text }
        return ".!?:;…".contains(last) ? text : text + "."
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
