import ArgumentParser
import Foundation

/// The one executable users run: each stage of the pipeline is a subcommand.
@main
struct TreeInstruct: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "treeinstruct",
        abstract: "Rewrite instruction corpora into harder, controlled-difficulty versions (Tree-Instruct), at scale.",
        discussion: """
            Errors are one line on standard error. Exit codes: 0 success, 1 failure, 64 bad option, name or \
            environment variable, 65 corpus not usable (binary, corrupt), 66 not found (file, run, shard), \
            69 database unreachable, 78 database not migrated.
            """,
        subcommands: [
            LocalCommand.self, MigrateCommand.self, SubmitCommand.self, WorkCommand.self, StatusCommand.self,
            RerunCommand.self, CancelCommand.self, ModeCommand.self, ExportCommand.self, InspectCommand.self, SimCommand.self, PostgresCommand.self,
            ProbeCommand.self, ServeCommand.self,
        ]
    )

    /// Parses and runs the command; any error becomes one line and an exit code (`Failure`),
    /// instead of ArgumentParser's usage banner or a library's multi-line dump.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            // A command that said what went wrong itself ends with its code alone.
            if let code = error as? ExitCode { Foundation.exit(code.rawValue) }
            let failure = Failure(error, subcommand: arguments.first.flatMap(subcommandName))
            FileHandle.standardError.write(Data("error: \(failure.message)\n".utf8))
            Foundation.exit(failure.exitCode)
        }
    }

    private static func subcommandName(_ argument: String) -> String? {
        configuration.subcommands.map { $0._commandName }.first { $0 == argument }
    }
}
