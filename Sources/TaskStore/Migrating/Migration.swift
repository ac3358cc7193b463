import Crypto

/// One numbered schema change, as shipped in the binary (from Migrations/NNNN_name.sql).
public struct Migration: Sendable, Hashable {
    public let version: Int
    /// As embedded, the file's name without `.sql` (`0001_task_store`).
    public let name: String
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// The file it comes from, for messages: `0001_task_store.sql`.
    public var fileName: String {
        let number = String(format: "%04d_", version)
        return (name.hasPrefix(number) ? name : number + name) + ".sql"
    }

    /// SHA-256 of the file's text: an applied migration whose file changed is refused.
    public var checksum: String {
        SHA256.hash(data: Array(sql.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Every migration in Migrations/, in version order.
    public static let embedded: [Migration] =
        embeddedMigrationFiles
        .map { Migration(version: $0.version, name: $0.name, sql: $0.sql) }
        .sorted { $0.version < $1.version }
}

import Foundation
