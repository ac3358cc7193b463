/// One instruction read from a user's corpus, the unit everything downstream rewrites.
///
/// `input` is the Alpaca-style context field; it is carried through every stage untouched
/// so a rewrite never loses the data the instruction talks about.
public struct InstructionRecord: Sendable, Hashable, Codable {
    public var instruction: String
    public var input: String
    /// The corpus's own answer, if it has one; kept for lineage, never sent as a target.
    public var referenceOutput: String?
    /// 1-based line of the record's first byte in its file.
    public var line: Int
    /// The record's own id, when the corpus has one (ShareGPT `id`, Self-Instruct `id`).
    public var sourceID: String?

    public init(instruction: String, input: String = "", referenceOutput: String? = nil, line: Int, sourceID: String? = nil) {
        self.instruction = instruction
        self.input = input
        self.referenceOutput = referenceOutput
        self.line = line
        self.sourceID = sourceID
    }

    /// De-duplication key: equal for records that ask the same thing of the same input.
    public var contentHash: ContentHash { ContentHash(instruction: instruction, input: input) }
}
