import GRDB

/// A row of `parent_ack`: what the parent is known to hold of one origin's chain (from a sync or a
/// bundle receipt); export sends only what lies beyond it. Its reads and writes.
struct ParentAckRow: FetchableRecord, TableRecord {
    static let databaseTableName = "parent_ack"
    var origin: String
    var seq: Int64

    init(row: Row) {
        origin = row["origin"]
        seq = row["seq"]
    }

    static func all(_ db: Database) throws -> [ParentAckRow] {
        try fetchAll(db, sql: "SELECT origin, seq FROM parent_ack")
    }

    /// How far the parent holds `origin`'s chain, nil when nothing is acknowledged.
    static func seq(_ db: Database, origin: String) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT seq FROM parent_ack WHERE origin = ?", arguments: [origin])
    }

    /// Raises an acknowledgement (never lowers one).
    static func raise(_ db: Database, origin: String, seq: Int64) throws {
        try db.execute(
            sql: """
                INSERT INTO parent_ack(origin, seq) VALUES (?, ?)
                ON CONFLICT(origin) DO UPDATE SET seq = max(seq, excluded.seq)
                """, arguments: [origin, seq])
    }

    /// Sets an acknowledgement the parent was found not to hold (it restored an older backup).
    static func set(_ db: Database, origin: String, seq: Int64) throws {
        try db.execute(sql: "UPDATE parent_ack SET seq = ? WHERE origin = ?", arguments: [seq, origin])
    }

    /// Lowers an acknowledgement to at most `seq`: changes beyond it go up again.
    static func lower(_ db: Database, origin: String, to seq: Int64) throws {
        try db.execute(sql: "UPDATE parent_ack SET seq = min(seq, ?) WHERE origin = ?", arguments: [seq, origin])
    }

    static func deleteAll(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM parent_ack")
    }
}
