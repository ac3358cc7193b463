/// Decides whether a model's rewrite is a usable, harder instruction, or why not.
///
/// Checks run in a fixed order and the first failure wins, so each bad answer gets one stable
/// code: empty, truncated, refusal, malformed_json, schema_mismatch, answered_instead,
/// unchanged; then the trees: the expansion keeps the original (original_not_preserved), adds
/// exactly K nodes (wrong_added_count), and only then the original tree is checked against the
/// instruction's words and the new instruction against the original's nodes (both
/// original_not_preserved again); then depth_exceeded, url_introduced, leaked_procedure,
/// language_changed, too_long, too_short, added_not_used. The plain template skips the checks
/// that need a tree.
public struct RewriteValidator: Sendable {
    public var settings: RewriteSettings
    /// Share of a label's content words that must appear for the label to count as present.
    public var labelCoverage: Double = 0.5
    /// Share of the original tree's labels that must be found in the original text and kept in
    /// the new instruction.
    public var originalCoverage: Double = 0.5

    public init(settings: RewriteSettings) {
        self.settings = settings
    }

    /// Validates `content`, the message text of the model's answer, as a rewrite of `instruction`
    /// (whose input is `input`). `finishReason` is the endpoint's, when it gave one.
    public func validate(
        content: String, finishReason: String?, instruction: String, input: String = ""
    )
        -> Result<AcceptedRewrite, Rejection>
    {
        let original = TextProfile(instruction + (input.isEmpty ? "" : "\n" + input))
        if TextNormalization.trimmed(content).isEmpty {
            return .failure(Rejection(.empty, "the model returned no text"))
        }
        if finishReason == "length" {
            return .failure(Rejection(.truncated, "the answer hit the token limit (finish_reason length)"))
        }
        if finishReason == "content_filter" {
            return .failure(Rejection(.refusal, "the endpoint's content filter stopped the answer"))
        }
        switch settings.template {
        case .plain:
            let text = TextProfile(Self.unquote(TextChecks.unfenced(content)))
            return checkText(text, original: original, instruction: instruction, input: input)
                .map { AcceptedRewrite(newInstruction: text.text, wordCount: text.words.count) }
        case .structured:
            let answer: StructuredAnswer
            switch StructuredAnswer.decode(content) {
            case .success(let decoded): answer = decoded
            case .failure(let rejection):
                if let phrase = TextChecks.refusal(in: TextProfile(content), original: original) {
                    return .failure(Rejection(.refusal, "the model declined (\"\(phrase)\")"))
                }
                return .failure(rejection)
            }
            let text = TextProfile(TextChecks.unfenced(answer.newInstruction))
            return checkText(text, original: original, instruction: instruction, input: input, tree: answer)
                .flatMap { checkAddedWordsUsed(answer, in: text) }
                .map {
                    AcceptedRewrite(
                        newInstruction: text.text, originalTree: answer.originalTree, expandedTree: answer.expandedTree,
                        addedNodes: answer.addedNodes, wordCount: text.words.count)
                }
        }
    }

    private func checkText(
        _ text: TextProfile, original: TextProfile, instruction: String, input: String, tree: StructuredAnswer? = nil
    )
        -> Result<Void, Rejection>
    {
        if text.text.isEmpty {
            return .failure(Rejection(.empty, "the new instruction is empty"))
        }
        if let phrase = TextChecks.refusal(in: text, original: original) {
            return .failure(Rejection(.refusal, "the model declined (\"\(phrase)\")"))
        }
        if let sign = TextChecks.answer(in: text, original: original) {
            return .failure(Rejection(.answeredInstead, "the text answers the instruction: it \(sign)"))
        }
        if TextNormalization.foldLabel(text.text) == TextNormalization.foldLabel(instruction) {
            return .failure(Rejection(.unchanged, "the new instruction is the original one"))
        }
        if let tree, case .failure(let rejection) = checkTree(tree, original: original, newInstruction: text) {
            return .failure(rejection)
        }
        let urls = TextChecks.introducedURLs(in: text, original: original)
        if !urls.isEmpty {
            return .failure(Rejection(.urlIntroduced, "adds \(urls.joined(separator: ", "))"))
        }
        let leaked = TextChecks.leakedProcedure(in: text, original: original)
        if !leaked.isEmpty {
            return .failure(Rejection(.leakedProcedure, "mentions \(leaked.map { "\"\($0)\"" }.joined(separator: ", "))"))
        }
        if let before = Script.dominant(in: instruction), let after = Script.dominant(in: text.text), before != after {
            return .failure(Rejection(.languageChanged, "written in \(after.rawValue) script, the original in \(before.rawValue)"))
        }
        // Judged on its own words, as the original is: a copy of the input pasted at its end
        // (as the corpus row had it) counts toward neither limit.
        let words = input.isEmpty ? text.words.count : TextProfile(PastedInput.ownWords(of: text.text, input: input)).words.count
        if words > settings.maxWords {
            return .failure(Rejection(.tooLong, "\(words) words, at most \(settings.maxWords) allowed"))
        }
        let minimum = settings.minimumWords(forOriginal: instruction)
        if words < minimum {
            return .failure(
                Rejection(
                    .tooShort, "\(words) words, at least \(minimum) needed (original \(minimum - settings.minAddedWords) + \(settings.minAddedWords))"
                ))
        }
        return .success(())
    }

    private func checkTree(_ answer: StructuredAnswer, original: TextProfile, newInstruction: TextProfile) -> Result<Void, Rejection> {
        let k = settings.nodesToAdd
        let expansion = TreeExpansion(original: answer.originalTree, expanded: answer.expandedTree)
        if !expansion.preservesOriginal {
            let missing = expansion.missingOriginalLabels.prefix(5).map { "\"\($0)\"" }.joined(separator: ", ")
            return .failure(Rejection(.originalNotPreserved, "expanded_tree drops or moves \(missing)"))
        }
        if expansion.addedLabels.count != k {
            return .failure(Rejection(.wrongAddedCount, "expanded_tree has \(expansion.addedLabels.count) new nodes, \(k) required"))
        }
        if answer.addedNodes.count != k {
            return .failure(Rejection(.wrongAddedCount, "added_nodes lists \(answer.addedNodes.count) labels, \(k) required"))
        }
        var newLabels = expansion.addedLabels.map(TextNormalization.foldLabel)
        for label in answer.addedNodes {
            guard let index = newLabels.firstIndex(of: TextNormalization.foldLabel(label)) else {
                return .failure(Rejection(.wrongAddedCount, "added_nodes lists \"\(label)\", which is not a new node of expanded_tree"))
            }
            newLabels.remove(at: index)
        }
        let originalLabels = answer.originalTree.allLabels
        let grounded = share(of: originalLabels, foundIn: original)
        if grounded < originalCoverage {
            return .failure(
                Rejection(.originalNotPreserved, "original_tree does not describe the instruction (\(percent(grounded)) of its labels occur in it)"))
        }
        let kept = share(of: originalLabels, foundIn: newInstruction)
        if kept < originalCoverage {
            return .failure(Rejection(.originalNotPreserved, "the new instruction keeps \(percent(kept)) of the original's nodes"))
        }
        if answer.expandedTree.depth > settings.maxDepth {
            return .failure(
                Rejection(.depthExceeded, "expanded_tree is \(answer.expandedTree.depth) levels deep, at most \(settings.maxDepth) allowed"))
        }
        return .success(())
    }

    private func checkAddedWordsUsed(_ answer: StructuredAnswer, in text: TextProfile) -> Result<Void, Rejection> {
        let unused = answer.addedNodes.filter { ContentWords.coverage(of: $0, in: text.vocabulary) < labelCoverage }
        guard unused.isEmpty else {
            return .failure(Rejection(.addedNotUsed, "the new instruction does not use \(unused.map { "\"\($0)\"" }.joined(separator: ", "))"))
        }
        return .success(())
    }

    private func share(of labels: [String], foundIn text: TextProfile) -> Double {
        guard !labels.isEmpty else { return 1 }
        let found = labels.filter { ContentWords.coverage(of: $0, in: text.vocabulary) >= labelCoverage }.count
        return Double(found) / Double(labels.count)
    }

    private func percent(_ share: Double) -> String { "\(Int((share * 100).rounded()))%" }

    /// A plain answer wrapped in one pair of quotes is the instruction inside them.
    static func unquote(_ content: String) -> String {
        let text = TextNormalization.trimmed(content)
        for (open, close) in [("\"", "\""), ("“", "”"), ("'", "'")] where text.count >= 2 && text.hasPrefix(open) && text.hasSuffix(close) {
            let inner = text.dropFirst().dropLast()
            if !inner.contains(open) && !inner.contains(close) {
                return TextNormalization.trimmed(String(inner))
            }
        }
        return text
    }
}
