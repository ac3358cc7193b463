import ArgumentParser
import CorpusIngest
import TreeInstructCore

/// The one-machine job. Until the task store and workers land (issues 3 to 5) it reads and
/// checks the corpus and says what the full run will do.
struct LocalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "local",
        abstract: "Run the whole job on this machine with a private PostgreSQL (pipeline stages arrive in parts 2 to 4)."
    )

    @Option(name: .long, help: "Corpus file to rewrite.")
    var corpus: String

    @Option(name: .long, help: "Nodes to add per round (K).")
    var nodes: Int = 3

    @Option(name: .long, help: "Rounds of expansion (R); K=3, R=2 is the paper's \"6 nodes\".")
    var rounds: Int = 1

    func run() throws {
        let report = try CorpusReport(file: CorpusFile(path: corpus))
        print("read \(corpus): \(report.records) records (\(report.distinct) distinct), \(report.errors.count) bad lines")
        for error in report.errors.prefix(5) { print("  \(error)") }
        print("""
            plan: add \(nodes) nodes per round for \(rounds) round(s) (difficulty \(nodes * rounds)), then answer each final instruction.
            not yet available: the PostgreSQL task store, the LLM client and the workers (issues 3 to 5);
            this command will start a private PostgreSQL, run the workers and export the dataset.
            """)
    }
}
