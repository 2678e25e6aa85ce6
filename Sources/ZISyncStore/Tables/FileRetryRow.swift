import GRDB

/// A row of `file_retry`: a file whose last transfer in one direction failed on its own (refused,
/// too large, a disk error at the parent), and when it is tried again. Its reads and writes.
struct FileRetryRow: FetchableRecord, TableRecord {
    static let databaseTableName = "file_retry"
    var sha256: String
    var failures: Int
    var retryAt: Int64
    var problem: String

    init(row: Row) {
        sha256 = row["sha256"]
        failures = row["failures"]
        retryAt = row["retry_at"]
        problem = row["problem"]
    }

    /// How often the file failed in `direction` so far, nil when it has not.
    static func failures(_ db: Database, sha256: String, direction: String) throws -> Int? {
        try Int.fetchOne(
            db, sql: "SELECT failures FROM file_retry WHERE sha256 = ? AND direction = ?",
            arguments: [sha256, direction])
    }

    static func set(
        _ db: Database, sha256: String, direction: String, failures: Int, retryAt: Int64, problem: String
    ) throws {
        try db.execute(
            sql:
                "INSERT OR REPLACE INTO file_retry(sha256, direction, failures, retry_at, problem) VALUES (?, ?, ?, ?, ?)",
            arguments: [sha256, direction, failures, retryAt, problem])
    }

    static func delete(_ db: Database, sha256: String, direction: String) throws {
        try db.execute(
            sql: "DELETE FROM file_retry WHERE sha256 = ? AND direction = ?", arguments: [sha256, direction])
    }

    /// Every file waiting for another attempt in `direction`.
    static func all(_ db: Database, direction: String) throws -> [FileRetryRow] {
        try fetchAll(
            db, sql: "SELECT sha256, failures, retry_at, problem FROM file_retry WHERE direction = ?",
            arguments: [direction])
    }
}
