import Foundation
import GRDB
import ZISyncCore
import ZISyncProtocol

/// A row of `refused_change`: a refusal kept for audit.
struct RefusedRow: FetchableRecord, TableRecord {
    static let databaseTableName = "refused_change"
    var origin: String
    var seq: Int64
    var recordID: String
    var reason: String
    var sender: String?
    var source: String

    init(row: Row) {
        origin = row["origin"]
        seq = row["seq"]
        recordID = row["record_id"]
        reason = row["reason"]
        sender = row["sender"]
        source = row["source"]
    }
}

extension RefusedRow {
    /// Keeps a refusal: the change as wire JSON, why, who delivered it and how.
    static func insert(
        _ db: Database, _ change: Change, reason: String, sender: String?, source: String, at now: Int64
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO refused_change(origin, seq, hash, record_type, record_id, owner, body, reason, sender,
                                           source, refused_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                change.origin, change.seq, change.hash, change.recordType, change.recordID, change.owner,
                change.wireJSON, reason, sender, source, now,
            ])
    }

    /// Every refusal, in the order made.
    static func all(_ db: Database) throws -> [RefusedRow] {
        try fetchAll(db, sql: "SELECT * FROM refused_change ORDER BY id")
    }

    static func count(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM refused_change") ?? 0
    }
}
