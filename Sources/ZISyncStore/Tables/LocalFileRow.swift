import GRDB

/// A row of `local_file`: an evidence file in the file store, by its hash, with its size. Its
/// reads and writes (the file queues keep it, FileQueues).
struct LocalFileRow: FetchableRecord, TableRecord {
    static let databaseTableName = "local_file"
    var sha256: String
    var size: Int64

    init(row: Row) {
        sha256 = row["sha256"]
        size = row["size"]
    }

    static func contains(_ db: Database, sha256: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM local_file WHERE sha256 = ?"), arguments: [sha256])
            ?? false
    }

    static func set(_ db: Database, sha256: String, size: Int64) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO local_file(sha256, size) VALUES (?, ?)", arguments: [sha256, size])
    }

    static func delete(_ db: Database, sha256: String) throws {
        try db.execute(sql: "DELETE FROM local_file WHERE sha256 = ?", arguments: [sha256])
    }

    /// Every file, by hash (what a backup copies).
    static func all(_ db: Database) throws -> [LocalFileRow] {
        try fetchAll(db, sql: "SELECT sha256, size FROM local_file ORDER BY sha256")
    }

    /// The next `limit` files after the rowid `cursor`, with their rowids: a slice of the rolling
    /// check against the disk.
    static func slice(_ db: Database, after cursor: Int64, limit: Int) throws -> [(rowid: Int64, sha256: String)] {
        try Row.fetchAll(
            db, sql: "SELECT rowid AS n, sha256 FROM local_file WHERE rowid > ? ORDER BY rowid LIMIT ?",
            arguments: [cursor, limit]
        ).map { ($0["n"] as Int64, $0["sha256"] as String) }
    }

    /// The files here that evidence records of `owners` name (deleted ones too), by hash.
    static func named(_ db: Database, byEvidenceOf owners: [String]) throws -> [LocalFileRow] {
        try fetchAll(
            db,
            sql: """
                SELECT DISTINCT f.sha256 AS sha256, f.size AS size
                FROM record_state e JOIN local_file f ON f.sha256 = e.sha256
                WHERE e.record_type = 'evidence' AND e.owner IN (\(databaseQuestionMarks(count: owners.count))) ORDER BY f.sha256
                """, arguments: StatementArguments(owners))
    }
}
