import GRDB

/// A row of `origin_head`: the tip of one origin's chain as held here. Its reads and writes, the
/// only SQL that names the table (the tips are also cached by an apply session, ApplySession).
struct OriginHeadRow: FetchableRecord, TableRecord {
    static let databaseTableName = "origin_head"
    var origin: String
    var seq: Int64
    var hash: String

    init(row: Row) {
        origin = row["origin"]
        seq = row["seq"]
        hash = row["hash"]
    }

    /// Every origin's tip, in origin order.
    static func all(_ db: Database) throws -> [OriginHeadRow] {
        try fetchAll(db.cachedStatement(sql: "SELECT origin, seq, hash FROM origin_head ORDER BY origin"))
    }

    /// Every origin's last sequence held here.
    static func seqs(_ db: Database) throws -> [String: Int64] {
        Dictionary(uniqueKeysWithValues: try all(db).map { ($0.origin, $0.seq) })
    }

    /// One origin's tip, nil when nothing of it is here.
    static func tip(_ db: Database, origin: String) throws -> OriginHeadRow? {
        try fetchOne(
            db.cachedStatement(sql: "SELECT origin, seq, hash FROM origin_head WHERE origin = ?"), arguments: [origin])
    }

    static func set(_ db: Database, origin: String, seq: Int64, hash: String) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO origin_head(origin, seq, hash) VALUES (?, ?, ?)")
            .execute(arguments: [origin, seq, hash])
    }

    static func delete(_ db: Database, origin: String) throws {
        try db.execute(sql: "DELETE FROM origin_head WHERE origin = ?", arguments: [origin])
    }
}
