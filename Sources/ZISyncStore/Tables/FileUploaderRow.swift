import GRDB

/// A row of `file_uploader`: a child that sent a file's bytes, and so may fetch that file back.
struct FileUploaderRow: FetchableRecord, TableRecord {
    static let databaseTableName = "file_uploader"
    var sha256: String
    var satker: String

    init(row: Row) {
        sha256 = row["sha256"]
        satker = row["satker"]
    }

    static func contains(_ db: Database, sha256: String, satker: String) throws -> Bool {
        try Bool.fetchOne(
            db, sql: "SELECT 1 FROM file_uploader WHERE sha256 = ? AND satker = ?", arguments: [sha256, satker])
            ?? false
    }

    static func insert(_ db: Database, sha256: String, satker: String) throws {
        try db.execute(
            sql: "INSERT OR IGNORE INTO file_uploader(sha256, satker) VALUES (?, ?)", arguments: [sha256, satker])
    }
}
