import TreeInstructCore

/// The meaningful requirements the simulator adds to instructions, each a node label with a
/// short and a long clause that uses it. A real model invents these; a fixed list keeps every
/// answer checkable and free of procedure words, refusals and URLs.
public enum ModifierVocabulary {
    /// One addable requirement. Both clauses contain `label` word for word and read as an
    /// imperative that can follow "In addition," or "Make sure to".
    public struct Entry: Sendable, Hashable {
        public let label: String
        public let shortClause: String
        public let longClause: String
    }

    public static let entries: [Entry] = [
        .init(
            label: "target audience", shortClause: "aim it at a clearly defined target audience",
            longClause: "aim it at a clearly defined target audience and adapt the vocabulary and tone to that readership"),
        .init(
            label: "historical context", shortClause: "place it in its historical context",
            longClause: "place it in its historical context, noting how earlier developments shaped the present situation"),
        .init(
            label: "concrete examples", shortClause: "support each point with concrete examples",
            longClause: "support each main point with two or three concrete examples drawn from everyday situations"),
        .init(
            label: "word limit", shortClause: "stay within a strict word limit",
            longClause: "stay within a strict word limit of 300 words so that every sentence has to earn its place"),
        .init(
            label: "comparison table", shortClause: "include a comparison table",
            longClause: "include a comparison table that sets the main options side by side on the same criteria"),
        .init(
            label: "potential risks", shortClause: "point out the potential risks",
            longClause: "point out the potential risks and explain how each of them could be reduced in practice"),
        .init(
            label: "step-by-step reasoning", shortClause: "show step-by-step reasoning",
            longClause: "show step-by-step reasoning so that a reader can follow how each conclusion is reached"),
        .init(
            label: "counterarguments", shortClause: "address likely counterarguments",
            longClause: "address the strongest likely counterarguments and explain why they do or do not hold"),
        .init(
            label: "cultural perspective", shortClause: "consider a second cultural perspective",
            longClause: "consider at least one cultural perspective other than the most common one and show how it changes the picture"),
        .init(
            label: "ethical implications", shortClause: "discuss the ethical implications",
            longClause: "discuss the ethical implications for the people most directly affected by the outcome"),
        .init(
            label: "cost estimate", shortClause: "add a rough cost estimate",
            longClause: "add a rough cost estimate with the main expenses listed separately"),
        .init(
            label: "time constraints", shortClause: "respect realistic time constraints",
            longClause: "respect realistic time constraints by stating how long each part would take"),
        .init(
            label: "formal tone", shortClause: "keep a formal tone",
            longClause: "keep a formal tone throughout, avoiding slang, contractions and casual asides"),
        .init(
            label: "summary paragraph", shortClause: "end with a summary paragraph",
            longClause: "end with a short summary paragraph that restates the key takeaways in plain language"),
        .init(
            label: "beginner readers", shortClause: "make it accessible to beginner readers",
            longClause: "make it accessible to beginner readers by defining every technical term the first time it appears"),
        .init(
            label: "environmental impact", shortClause: "consider the environmental impact",
            longClause: "consider the environmental impact and suggest one way to make it more sustainable"),
        .init(
            label: "measurable criteria", shortClause: "define measurable criteria for success",
            longClause: "define measurable criteria for success so that the result can be checked objectively"),
        .init(
            label: "common misconceptions", shortClause: "correct common misconceptions",
            longClause: "correct two or three common misconceptions that people often hold about the subject"),
        .init(
            label: "practical tips", shortClause: "finish with practical tips",
            longClause: "finish with a handful of practical tips that someone could act on the same day"),
        .init(
            label: "scientific evidence", shortClause: "back the claims with scientific evidence",
            longClause: "back the central claims with scientific evidence and say how strong that evidence is"),
        .init(
            label: "regional differences", shortClause: "note any regional differences",
            longClause: "note any regional differences and explain what causes them"),
        .init(
            label: "safety precautions", shortClause: "mention the necessary safety precautions",
            longClause: "mention the necessary safety precautions and why each one matters"),
        .init(
            label: "bullet points", shortClause: "present the key points as bullet points",
            longClause: "present the key points as bullet points, each no longer than a single line"),
        .init(
            label: "future trends", shortClause: "anticipate future trends",
            longClause: "anticipate future trends over the next decade and how they might change the picture"),
        .init(
            label: "budget limits", shortClause: "work within tight budget limits",
            longClause: "work within tight budget limits and explain which trade-offs those limits force"),
        .init(
            label: "personal anecdote", shortClause: "include a brief personal anecdote",
            longClause: "include a brief personal anecdote that makes the main idea easier to relate to"),
        .init(
            label: "alternative approaches", shortClause: "weigh alternative approaches",
            longClause: "weigh at least two alternative approaches and justify the one you prefer"),
        .init(
            label: "key terminology", shortClause: "define the key terminology",
            longClause: "define the key terminology in a short list at the end"),
        .init(
            label: "stakeholder interests", shortClause: "balance the competing stakeholder interests",
            longClause: "balance the competing stakeholder interests and show who gains or loses under each option"),
        .init(
            label: "economic factors", shortClause: "account for economic factors",
            longClause: "account for the economic factors that influence the outcome, such as prices and incentives"),
        .init(
            label: "visual aids", shortClause: "suggest suitable visual aids",
            longClause: "suggest suitable visual aids, such as a chart or diagram, that would clarify the main points"),
        .init(
            label: "long-term consequences", shortClause: "explain the long-term consequences",
            longClause: "explain the long-term consequences as well as the immediate effects"),
        .init(
            label: "real-world applications", shortClause: "connect it to real-world applications",
            longClause: "connect it to real-world applications that a general reader would recognize"),
        .init(
            label: "limitations", shortClause: "acknowledge the limitations",
            longClause: "acknowledge the limitations of the approach and the situations where it would not work"),
        .init(
            label: "humorous tone", shortClause: "use a lightly humorous tone",
            longClause: "use a lightly humorous tone without undermining the accuracy of the content"),
        .init(
            label: "accessibility needs", shortClause: "take accessibility needs into account",
            longClause: "take the accessibility needs of people with disabilities into account"),
        .init(
            label: "quantitative data", shortClause: "include quantitative data",
            longClause: "include relevant quantitative data, such as percentages or averages, to ground the discussion"),
        .init(
            label: "rhetorical question", shortClause: "include a rhetorical question",
            longClause: "include a rhetorical question that draws the reader into the central issue"),
        .init(
            label: "legal considerations", shortClause: "flag relevant legal considerations",
            longClause: "flag the relevant legal considerations that someone in this situation would need to respect"),
        .init(
            label: "seasonal variation", shortClause: "allow for seasonal variation",
            longClause: "allow for seasonal variation and describe how the advice changes through the year"),
        .init(
            label: "child-friendly language", shortClause: "use child-friendly language",
            longClause: "use child-friendly language suitable for readers around ten years old"),
        .init(
            label: "expert opinion", shortClause: "cite an expert opinion",
            longClause: "cite at least one expert opinion and explain why that expert is credible"),
        .init(
            label: "priority ranking", shortClause: "give a priority ranking",
            longClause: "give a priority ranking of the points from most to least important"),
        .init(
            label: "health benefits", shortClause: "highlight the health benefits",
            longClause: "highlight the health benefits and any drawbacks for a typical adult"),
        .init(
            label: "interdisciplinary links", shortClause: "draw interdisciplinary links",
            longClause: "draw interdisciplinary links to at least one other field of study"),
        .init(
            label: "memorable slogan", shortClause: "close with a memorable slogan",
            longClause: "close with a memorable slogan of no more than eight words"),
        .init(
            label: "sensory details", shortClause: "add vivid sensory details",
            longClause: "add vivid sensory details of sight, sound and smell to bring the scene to life"),
        .init(
            label: "numbered checklist", shortClause: "provide a numbered checklist",
            longClause: "provide a numbered checklist that a reader can tick off while working through it"),
        .init(
            label: "global scale", shortClause: "consider the question on a global scale",
            longClause: "consider the question on a global scale as well as at the local level"),
        .init(
            label: "privacy concerns", shortClause: "address privacy concerns",
            longClause: "address any privacy concerns about how personal information would be handled"),
        .init(
            label: "success metrics", shortClause: "propose clear success metrics",
            longClause: "propose clear success metrics and a way to track them over time"),
        .init(
            label: "team collaboration", shortClause: "allow for team collaboration",
            longClause: "allow for team collaboration by saying who would do which part"),
        .init(
            label: "resource constraints", shortClause: "respect tight resource constraints",
            longClause: "respect tight resource constraints such as a small team and limited equipment"),
        .init(
            label: "follow-up questions", shortClause: "end with follow-up questions",
            longClause: "end with two follow-up questions that would deepen the discussion"),
        .init(
            label: "emotional appeal", shortClause: "add an emotional appeal",
            longClause: "add an emotional appeal that speaks to what the reader cares about most"),
        .init(
            label: "opposing viewpoints", shortClause: "present opposing viewpoints fairly",
            longClause: "present opposing viewpoints fairly before reaching a balanced conclusion"),
        .init(
            label: "mnemonic device", shortClause: "offer a mnemonic device",
            longClause: "offer a mnemonic device that makes the main points easy to remember"),
        .init(
            label: "cause and effect", shortClause: "trace cause and effect",
            longClause: "trace cause and effect explicitly, linking each factor to the result it produces"),
        .init(
            label: "local community", shortClause: "relate it to the local community",
            longClause: "relate it to the local community and the people who live there"),
        .init(
            label: "short glossary", shortClause: "append a short glossary",
            longClause: "append a short glossary of the less familiar words used"),
        .init(
            label: "storytelling elements", shortClause: "weave in storytelling elements",
            longClause: "weave in storytelling elements such as a character and a turning point"),
        .init(
            label: "performance benchmarks", shortClause: "refer to performance benchmarks",
            longClause: "refer to performance benchmarks that show how the options compare in speed and efficiency"),
        .init(
            label: "maintenance schedule", shortClause: "include a maintenance schedule",
            longClause: "include a maintenance schedule with the tasks to repeat weekly, monthly and yearly"),
        .init(
            label: "dietary restrictions", shortClause: "respect common dietary restrictions",
            longClause: "respect common dietary restrictions such as vegetarian and gluten-free needs"),
        .init(
            label: "gender-neutral language", shortClause: "use gender-neutral language",
            longClause: "use gender-neutral language throughout the text"),
        .init(
            label: "error handling", shortClause: "describe the error handling",
            longClause: "describe the error handling for inputs that are missing or invalid"),
        .init(
            label: "test cases", shortClause: "add a few test cases",
            longClause: "add a few test cases that cover both typical and unusual inputs"),
        .init(
            label: "time complexity", shortClause: "state the time complexity",
            longClause: "state the time complexity and explain where the main cost comes from"),
        .init(
            label: "citation style", shortClause: "follow a consistent citation style",
            longClause: "follow a consistent citation style for every source mentioned"),
        .init(
            label: "executive summary", shortClause: "provide an executive summary",
            longClause: "provide an executive summary of no more than three sentences"),
        .init(
            label: "vivid metaphors", shortClause: "use vivid metaphors",
            longClause: "use vivid metaphors to make the abstract ideas easier to picture"),
        .init(
            label: "weekly plan", shortClause: "organize it as a weekly plan",
            longClause: "organize it as a weekly plan with a goal for each day"),
        .init(
            label: "user feedback", shortClause: "take user feedback into account",
            longClause: "take user feedback into account and say how it would be collected"),
        .init(
            label: "energy efficiency", shortClause: "consider energy efficiency",
            longClause: "consider energy efficiency and estimate where the largest savings lie"),
        .init(
            label: "age group", shortClause: "tailor it to a specific age group",
            longClause: "tailor it to a specific age group and explain what makes it suitable for them"),
        .init(
            label: "professional setting", shortClause: "suit it to a professional setting",
            longClause: "suit it to a professional setting where colleagues and managers will read it"),
        .init(
            label: "ingredient substitutions", shortClause: "suggest ingredient substitutions",
            longClause: "suggest ingredient substitutions for anything that is hard to find"),
        .init(
            label: "pros and cons", shortClause: "weigh the pros and cons",
            longClause: "weigh the pros and cons of each option in a balanced way"),
        .init(
            label: "actionable recommendations", shortClause: "end with actionable recommendations",
            longClause: "end with actionable recommendations that are specific and realistic"),
    ]

    /// The content words of each entry's label, computed once: every rewrite checks them all
    /// against the instruction.
    static let labelContentWords: [[String]] = entries.map { ContentWords.of($0.label) }

    /// Word counts of every fixed text, computed once so fitting a rewrite to its word range
    /// is arithmetic rather than re-counting text.
    private static let shortClauseWords = entries.map { TextNormalization.wordCount($0.shortClause) }
    private static let longClauseWords = entries.map { TextNormalization.wordCount($0.longClause) }
    private static let entryIndex = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.label, $0) })
    private static let phraseWords: [String: Int] = Dictionary(
        uniqueKeysWithValues: (openers + terseOpeners).map { ($0, TextNormalization.wordCount($0)) })
    static let paddingWords = paddingSentences.map { TextNormalization.wordCount($0) }

    static func clauseWords(_ entry: Entry, long: Bool) -> Int {
        guard let index = entryIndex[entry.label] else {
            return TextNormalization.wordCount(long ? entry.longClause : entry.shortClause)
        }
        return long ? longClauseWords[index] : shortClauseWords[index]
    }

    static func labelWords(_ entry: Entry) -> Int {
        TextNormalization.wordCount(entry.label)
    }

    /// Words of an opener (precomputed) or any other short phrase.
    static func wordCount(_ phrase: String) -> Int {
        phraseWords[phrase] ?? TextNormalization.wordCount(phrase)
    }

    /// Openings a sentence of added clauses starts with; each takes an imperative after it.
    static let openers = [
        "In addition,", "Also,", "Furthermore,", "Moreover,", "Be sure to", "Make sure to", "Remember to", "As well,",
    ]

    /// Openings of the terse form, which only lists the labels, for instructions near the maximum.
    static let terseOpeners = ["Also cover", "Also address", "Include", "Consider"]

    /// Generic requirements of every length from 2 to 12 words and a few longer, appended when the clauses leave
    /// the text below the minimum, chosen so the total lands within the allowed range.
    static let paddingSentences = [
        "Be precise.",
        "Stay accurate throughout.",
        "Keep it well organized.",
        "State any assumptions clearly.",
        "Define any unusual terms briefly.",
        "Explain the reasoning behind each choice.",
        "Give reasons for every important recommendation made.",
        "Check every claim for accuracy before including it.",
        "Keep the wording precise and the structure easy to follow.",
        "Make sure every part clearly serves the overall purpose.",
        "Present the material in an order a newcomer could follow easily.",
        "Make each part build logically on the one that comes before it.",
        "Avoid repetition and keep every sentence focused on the main goal of the task.",
        "Use clear headings where they help the reader find the most important parts quickly.",
        "Keep the level of detail consistent from beginning to end so that no part feels rushed.",
    ]
}
