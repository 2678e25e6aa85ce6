import GRDB

/// A row of `open_conflict`: a field of a record written concurrently that nobody has resolved
/// yet (by writing it again). Its reads and writes.
struct OpenConflictRow: FetchableRecord, TableRecord {
    static let databaseTableName = "open_conflict"
    var recordID: String
    var field: String

    init(row: Row) {
        recordID = row["record_id"]
        field = row["field"]
    }

    static func open(_ db: Database, recordID: String, field: String) throws {
        try db.execute(
            sql: "INSERT OR IGNORE INTO open_conflict(record_id, field) VALUES (?, ?)", arguments: [recordID, field])
    }

    static func close(_ db: Database, recordID: String, field: String) throws {
        try db.execute(
            sql: "DELETE FROM open_conflict WHERE record_id = ? AND field = ?", arguments: [recordID, field])
    }

    /// Closes every conflict of a record (its changes were set aside and it is merged again).
    static func closeAll(_ db: Database, recordID: String) throws {
        try db.execute(sql: "DELETE FROM open_conflict WHERE record_id = ?", arguments: [recordID])
    }

    /// Every open conflict, by record and field.
    static func all(_ db: Database) throws -> [OpenConflictRow] {
        try fetchAll(db, sql: "SELECT record_id, field FROM open_conflict ORDER BY record_id, field")
    }

    static func count(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM open_conflict") ?? 0
    }
}
