import ArgumentParser

/// The one executable users run: each stage of the pipeline is a subcommand.
@main
struct TreeInstruct: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "treeinstruct",
        abstract: "Rewrite instruction corpora into harder, controlled-difficulty versions (Tree-Instruct), at scale.",
        subcommands: [InspectCommand.self, LocalCommand.self, SimCommand.self]
    )
}
