import GRDB

/// A row of `download_queue`: a file that a record here names and that is not here yet, with the
/// size the record gives it. Its reads and writes (the file queues keep it, FileQueues).
struct DownloadQueueRow: FetchableRecord, TableRecord {
    static let databaseTableName = "download_queue"
    var sha256: String
    var size: Int64

    init(row: Row) {
        sha256 = row["sha256"]
        size = row["size"]
    }

    static func enqueue(_ db: Database, sha256: String, size: Int64) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO download_queue(sha256, size) VALUES (?, ?)")
            .execute(arguments: [sha256, size])
    }

    /// Queues a file if a record names it, with the largest size one gives.
    static func enqueueIfNamed(_ db: Database, sha256: String) throws {
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO download_queue(sha256, size)
                SELECT sha256, MAX(COALESCE(size, 0)) FROM record_state WHERE sha256 = ? GROUP BY sha256
                """, arguments: [sha256])
    }

    static func delete(_ db: Database, sha256: String) throws {
        try db.execute(sql: "DELETE FROM download_queue WHERE sha256 = ?", arguments: [sha256])
    }

    /// The queue, by hash.
    static func all(_ db: Database) throws -> [DownloadQueueRow] {
        try fetchAll(db, sql: "SELECT sha256, size FROM download_queue ORDER BY sha256")
    }

    /// How many queued files a record still names.
    static func namedCount(_ db: Database) throws -> Int {
        try Int.fetchOne(
            db,
            sql: """
                SELECT COUNT(*) FROM download_queue q
                WHERE EXISTS (SELECT 1 FROM record_state e WHERE e.sha256 = q.sha256)
                """) ?? 0
    }
}
