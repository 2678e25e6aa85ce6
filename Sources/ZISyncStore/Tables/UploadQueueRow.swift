import GRDB

/// A row of `upload_queue`: a file of this node's subtree that is here and that the parent has not
/// confirmed. Its reads and writes (the file queues keep it, FileQueues).
struct UploadQueueRow: FetchableRecord, TableRecord {
    static let databaseTableName = "upload_queue"
    var sha256: String

    init(row: Row) {
        sha256 = row["sha256"]
    }

    /// Queues a file unless the parent confirmed it.
    static func enqueue(_ db: Database, sha256: String) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO upload_queue(sha256)
                SELECT ? WHERE NOT EXISTS (SELECT 1 FROM uploaded_file WHERE sha256 = ?)
                """
        ).execute(arguments: [sha256, sha256])
    }

    /// Queues every file here that records of `owners` name (after the parent lost what it confirmed).
    static func enqueueAll(_ db: Database, namedBy owners: [String]) throws {
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO upload_queue(sha256)
                SELECT DISTINCT f.sha256 FROM local_file f JOIN record_state r ON r.sha256 = f.sha256
                WHERE r.owner IN (\(databaseQuestionMarks(count: owners.count)))
                """, arguments: StatementArguments(owners))
    }

    static func delete(_ db: Database, sha256: String) throws {
        try db.execute(sql: "DELETE FROM upload_queue WHERE sha256 = ?", arguments: [sha256])
    }

    /// The queue with each file's size, by hash.
    static func withSizes(_ db: Database) throws -> [LocalFileRow] {
        try LocalFileRow.fetchAll(
            db,
            sql: """
                SELECT q.sha256, f.size FROM upload_queue q JOIN local_file f ON f.sha256 = q.sha256
                ORDER BY q.sha256
                """)
    }
}
