import Testing
import TaskStore

@Suite("Database settings")
struct DatabaseSettingsTests {
    static func resolve(
        _ url: String?, _ environment: [String: String] = [:],
        passFile: (text: String, groupOrWorldReadable: Bool)? = nil
    ) throws -> DatabaseSettings {
        try DatabaseSettings.resolve(url: url, environment: ["USER": "alice"].merging(environment) { $1 }, readFile: { _ in passFile })
    }

    @Test func urlWinsOverEnvironment() throws {
        let settings = try Self.resolve(
            "postgres://bob:s%40cr%3At@db.example:6543/jobs?sslmode=require&application_name=w1",
            ["PGHOST": "other", "PGUSER": "eve", "PGPASSWORD": "nope", "PGDATABASE": "x", "PGPORT": "1"])
        #expect(settings.host == "db.example")
        #expect(settings.port == 6543)
        #expect(settings.user == "bob")
        #expect(settings.password == "s@cr:t")
        #expect(settings.database == "jobs")
        #expect(settings.sslMode == .require)
        #expect(settings.applicationName == "w1")
    }

    @Test func environmentFillsWhatTheURLLeavesOut() throws {
        let settings = try Self.resolve("postgresql:///jobs", ["PGHOST": "/run/pg", "PGPORT": "5433", "PGSSLMODE": "disable"])
        #expect(settings.host == "/run/pg")
        #expect(settings.unixSocketPath == "/run/pg/.s.PGSQL.5433")
        #expect(settings.user == "alice")
        #expect(settings.database == "jobs")
        #expect(settings.sslMode == .disable)
    }

    @Test func defaultsFollowLibpq() throws {
        let settings = try Self.resolve(nil, ["PGHOST": "localhost"])
        #expect(settings.port == 5432)
        #expect(settings.user == "alice")
        #expect(settings.database == "alice")
        #expect(settings.sslMode == .prefer)
        #expect(settings.password == nil)
    }

    @Test func socketDirectoryInTheURL() throws {
        let encoded = try Self.resolve("postgres://u@%2Fvar%2Frun%2Fpostgresql/db")
        #expect(encoded.host == "/var/run/postgresql")
        let parameter = try Self.resolve("postgres:///db?host=/tmp/sock&port=7000")
        #expect(parameter.unixSocketPath == "/tmp/sock/.s.PGSQL.7000")
    }

    @Test func passwordFileMatchesLikeLibpq() throws {
        let file = """
            # comment
            other:*:*:*:wrong
            db.example:5432:jobs:bob:right\\:one
            *:*:*:*:fallback
            """
        #expect(try Self.resolve("postgres://bob@db.example/jobs", passFile: (file, false)).password == "right:one")
        #expect(try Self.resolve("postgres://carol@elsewhere/jobs", passFile: (file, false)).password == "fallback")
        var warnings: [String] = []
        let ignored = try DatabaseSettings.resolve(
            url: "postgres://bob@db.example/jobs", environment: ["USER": "alice"],
            readFile: { _ in (file, true) }, warn: { warnings.append($0) })
        #expect(ignored.password == nil)
        #expect(warnings.count == 1)
    }

    @Test func badValuesNameTheSettingAndNeverThePassword() {
        for (url, environment, needle) in [
            ("postgres://u:hunter2@h/db?sslmode=sometimes", [:], "sslmode"),
            ("postgres://u:hunter2@h/db", ["PGPORT": "eighty"], "port"),
            ("mysql://u:hunter2@h/db", [:], "postgres://"),
            ("postgres://u:hunter2@h/db?colour=blue", [:], "colour"),
        ] as [(String, [String: String], String)] {
            #expect {
                try Self.resolve(url, environment)
            } throws: { error in
                let text = "\(error)"
                return text.contains(needle) && !text.contains("hunter2")
            }
        }
    }

    @Test func redactedNeverShowsThePassword() throws {
        let settings = try Self.resolve("postgres://bob:hunter2@db.example:5432/jobs")
        #expect(settings.redacted == "postgres://bob@db.example:5432/jobs")
        #expect(!"\(settings.redacted)".contains("hunter2"))
    }
}
