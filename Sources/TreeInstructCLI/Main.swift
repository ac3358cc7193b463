import ArgumentParser

/// The one executable users run: each stage of the pipeline is a subcommand.
@main
struct TreeInstruct: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "treeinstruct",
        abstract: "Rewrite instruction corpora into harder, controlled-difficulty versions (Tree-Instruct), at scale.",
        subcommands: [LocalCommand.self, MigrateCommand.self, SubmitCommand.self, WorkCommand.self, StatusCommand.self,
                      RerunCommand.self, CancelCommand.self, ExportCommand.self, InspectCommand.self, SimCommand.self, PostgresCommand.self,
                      ProbeCommand.self]
    )
}
