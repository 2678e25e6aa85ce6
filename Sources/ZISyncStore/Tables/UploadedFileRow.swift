import GRDB

/// A row of `uploaded_file`: an evidence file the parent confirmed it holds completely.
struct UploadedFileRow: FetchableRecord, TableRecord {
    static let databaseTableName = "uploaded_file"
    var sha256: String

    init(row: Row) {
        sha256 = row["sha256"]
    }

    static func insert(_ db: Database, sha256: String) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO uploaded_file(sha256) VALUES (?)", arguments: [sha256])
    }

    /// Forgets every confirmation (the parent lost what it held): each file is confirmed again.
    static func deleteAll(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM uploaded_file")
    }
}
