import TreeInstructCore

/// Writes the rewrite a diligent model would: a tree grounded in the instruction, exactly K new
/// labels from ``ModifierVocabulary`` that the instruction does not already contain, attached
/// in depth or width, and the instruction followed by sentences that use every new label,
/// lengthened to the prompt's minimum. When the bounds cannot be met (an instruction already
/// near the maximum, too few unused labels) it answers anyway and the validator rejects it,
/// as it would a model's answer.
public enum RewriteAnswerBuilder {
    public static func build(instruction: String, input: String, settings: RewriteSettings,
                             random: inout SeededRandom) -> RewriteAnswer {
        let original = OriginalTree.of(instruction, maxDepth: settings.maxDepth, random: &random)
        let entries = chooseEntries(count: settings.nodesToAdd, avoiding: instruction + "\n" + input, random: &random)
        let labels = entries.map(\.label)
        let expanded = TreeGrowth.grow(original, adding: labels, maxDepth: settings.maxDepth, random: &random)
        let text = write(instruction: instruction, entries: entries, settings: settings, random: &random)
        return RewriteAnswer(originalTree: original, expandedTree: expanded, addedLabels: labels, newInstruction: text)
    }

    /// `count` entries in random order, none with a content word the text already has.
    static func chooseEntries(count: Int, avoiding text: String, random: inout SeededRandom) -> [ModifierVocabulary.Entry] {
        guard count > 0 else { return [] }
        let present = Set(TextNormalization.words(text))
        let fresh = ModifierVocabulary.entries.filter { entry in
            !ContentWords.of(entry.label).contains { ContentWords.appears($0, in: present) }
        }
        return Array(fresh.shuffled(using: &random).prefix(count))
    }

    /// The instruction, then the clauses of `entries` in sentences of up to three, fitted into
    /// the prompt's word range: short clauses, lengthened one by one while the text is below the
    /// minimum (never past the maximum), then padding sentences chosen to land in range; a terse
    /// list of the labels when even the short clauses exceed the maximum.
    static func write(instruction: String, entries: [ModifierVocabulary.Entry], settings: RewriteSettings,
                      random: inout SeededRandom) -> String {
        let base = withClosingPunctuation(instruction.trimmingWhitespace())
        let baseWords = TextNormalization.wordCount(base)
        let minimum = settings.minimumWords(forOriginal: instruction)
        // When the range is empty (a long original), reach the minimum anyway: the validator
        // then rejects the answer as too long, as it would a model's.
        let maximum = max(settings.maxWords, minimum)
        let openers = (0..<(entries.count + 2) / 3).map { _ in
            ModifierVocabulary.openers.randomElement(using: &random) ?? "Also,"
        }
        let terseOpener = ModifierVocabulary.terseOpeners.randomElement(using: &random) ?? "Also cover"

        var useLong = [Bool](repeating: false, count: entries.count)
        var added = clauseSentences(entries, useLong, openers)
        if baseWords + wordCount(added) > maximum, !entries.isEmpty {
            added = [terseOpener + " " + joinedAsList(entries.map(\.label)) + "."]
        } else {
            for index in Array(entries.indices).shuffled(using: &random) where baseWords + wordCount(added) < minimum {
                useLong[index] = true
                let longer = clauseSentences(entries, useLong, openers)
                if baseWords + wordCount(longer) <= maximum {
                    added = longer
                } else {
                    useLong[index] = false
                }
            }
        }
        var padding = ModifierVocabulary.paddingSentences.map { (sentence: $0, words: TextNormalization.wordCount($0)) }
        var count = baseWords + wordCount(added)
        while count < minimum {
            let need = minimum - count
            let fitting = padding.indices.filter { count + padding[$0].words <= maximum }
            let enough = fitting.filter { padding[$0].words >= need }
            guard let pick = enough.min(by: { padding[$0].words < padding[$1].words })
                ?? fitting.max(by: { padding[$0].words < padding[$1].words }) else { break }
            added.append(padding[pick].sentence)
            count += padding[pick].words
            padding.remove(at: pick)
        }
        return ([base] + added).joined(separator: " ")
    }

    private static func clauseSentences(_ entries: [ModifierVocabulary.Entry], _ useLong: [Bool], _ openers: [String]) -> [String] {
        stride(from: 0, to: entries.count, by: 3).map { start in
            let clauses = (start..<min(start + 3, entries.count)).map { useLong[$0] ? entries[$0].longClause : entries[$0].shortClause }
            return openers[start / 3] + " " + joinedAsList(clauses) + "."
        }
    }

    private static func wordCount(_ sentences: [String]) -> Int {
        sentences.reduce(0) { $0 + TextNormalization.wordCount($1) }
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
