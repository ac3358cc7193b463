import ArgumentParser
import TaskStore

/// Which ended rows an export writes; shared by `export` and `local`.
struct ExportSelectionOptions: ParsableArguments {
    @Flag(help: "Only rows whose every stage succeeded (default: off: also rows at their last accepted round).") var completeOnly = false
    @Option(name: .long, parsing: .unconditional, help: "Only rows whose exported difficulty (nodes added) is at least this, 0 or more.")
    var minDifficulty: Int = 0

    /// The selection, checked.
    func selection() throws -> ExportSelection {
        try Check.range("--min-difficulty", minDifficulty, 0...Int(Int32.max))
        return ExportSelection(completeOnly: completeOnly, minDifficulty: minDifficulty)
    }
}
