import ArgumentParser
import TaskStore

/// Applies new schema migrations; safe to run from several processes at once.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Create or update the task store's tables and views.")

    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let applied = try await database.withDatabase(schema: .none) { try await Migrator(database: $0).migrate() }
        let names = applied.map(\.name)
        if json {
            print(JSONOutput.render(["applied": .array(names.map { .string($0) })]))
        } else {
            print(names.isEmpty ? "schema \(database.schemaName) is up to date" : "applied \(names.joined(separator: ", "))")
        }
    }
}
