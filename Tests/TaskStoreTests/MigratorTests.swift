import Logging
import PostgresNIO
import PostgresTestSupport
import Testing
import TaskStore

@Suite("Migrations and connections", .enabled(if: TestPostgres.canStart, TestPostgres.unavailableReason))
struct MigratorTests {
    static let first = Migration(version: 1, name: "first", sql: "CREATE TABLE a (id int); -- done;\nCREATE TABLE b (note text DEFAULT 'x;y')")
    static let second = Migration(version: 2, name: "second", sql: "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$;")

    @Test func embeddedMigrationsAreOrderedAndApply() async throws {
        #expect(!Migration.embedded.isEmpty)
        #expect(Migration.embedded.map(\.version) == Migration.embedded.map(\.version).sorted())
        let database = try await TestPostgres.database(migrate: false)
        let applied = try await Migrator(database: database).migrate()
        #expect(applied.count == Migration.embedded.count)
        #expect(try await Migrator(database: database).migrate().isEmpty)
    }

    @Test func appliesInOrderOnceAndRefusesEditedFiles() async throws {
        let database = try await TestPostgres.database(migrate: false)
        let migrator = Migrator(database: database)
        #expect(try await migrator.migrate([Self.first]).map(\.version) == [1])
        #expect(try await migrator.migrate([Self.second, Self.first]).map(\.version) == [2])
        #expect(try await migrator.migrate([Self.first, Self.second]).isEmpty)
        let edited = Migration(version: 1, name: "first", sql: Self.first.sql + ";")
        await #expect { try await migrator.migrate([edited, Self.second]) } throws: { "\($0)".contains("0001_first.sql was edited") }
        await #expect { try await migrator.migrate([Self.second]) } throws: { "\($0)".contains("missing from this build") }
    }

    @Test func concurrentMigratorsApplyEachMigrationOnce() async throws {
        let database = try await TestPostgres.database(migrate: false)
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 { group.addTask { try await Migrator(database: database).migrate().count } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(counts.sorted() == [0, 0, 0, Migration.embedded.count])
    }

    @Test func aFailingMigrationNamesItsFileAndLeavesNothingBehind() async throws {
        let database = try await TestPostgres.database(migrate: false)
        let broken = Migration(version: 1, name: "broken", sql: "CREATE TABLE ok (id int); CREATE TABLE bad (id nosuchtype)")
        await #expect { try await Migrator(database: database).migrate([broken]) } throws: {
            "\($0)".contains("0001_broken.sql failed") && "\($0)".contains("nosuchtype")
        }
        let rows = try await database.client.query("SELECT count(*) FROM pg_tables WHERE schemaname = \(database.schema) AND tablename = 'ok'")
        for try await count in rows.decode(Int.self) { #expect(count == 0) }
    }

    @Test func wrongPasswordIsOneClearLine() async throws {
        var settings = try await TestPostgres.settings()
        settings.password = "definitely-wrong"
        let database = try Database(settings: settings, logger: Logger(label: "test"))
        await #expect {
            try await database.withRunning { _ in 1 }
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("cannot connect to postgres://treeinstruct@127.0.0.1:") && text.contains("password authentication failed")
                && !text.contains("definitely-wrong") && !text.contains("\n")
        }
    }

    @Test func closedPortIsOneClearLine() async throws {
        let settings = DatabaseSettings(
            host: "127.0.0.1", port: 9, user: "u", password: "p", database: "d", sslMode: .disable,
            connectTimeout: .seconds(3))
        let database = try Database(settings: settings, logger: Logger(label: "test"))
        await #expect {
            try await database.withRunning { _ in 1 }
        } throws: { "\($0)".hasPrefix("cannot connect to postgres://u@127.0.0.1:9/d: ") }
    }
}
