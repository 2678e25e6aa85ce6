import Foundation
import GRDB
import ZISyncCore
import ZISyncProtocol

/// A row of `waiting_change`: a stored change that waits for a record it names (see V11).
struct WaitingRow: FetchableRecord, TableRecord {
    static let databaseTableName = "waiting_change"
    var origin: String
    var seq: Int64
    var recordID: String
    var awaits: String
    var sender: String?
    var source: String

    init(row: Row) {
        origin = row["origin"]
        seq = row["seq"]
        recordID = row["record_id"]
        awaits = row["awaits"]
        sender = row["sender"]
        source = row["source"]
    }
}

extension WaitingRow {
    static func insert(
        _ db: Database, _ change: Change, awaits: String, reason: String, sender: String?, source: String,
        at now: Int64
    ) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO waiting_change(origin, seq, record_id, awaits, reason, sender, source, since)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [change.origin, change.seq, change.recordID, awaits, reason, sender, source, now])
    }

    /// Whether a change of `recordID` by `origin` that arrived before `arrivedBefore` (any, when
    /// nil) waits here: the origin's later change of the same record waits behind it. Another
    /// office's changes of that record do not, so one office's change that waits for good holds
    /// up no one else's.
    static func waits(_ db: Database, record recordID: String, origin: String, arrivedBefore: Int64?) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT 1 FROM waiting_change w JOIN change_log c ON c.origin = w.origin AND c.seq = w.seq
                    WHERE w.record_id = ? AND w.origin = ? AND c.local_seq < ? LIMIT 1
                    """), arguments: [recordID, origin, arrivedBefore ?? Int64.max]) ?? false
    }

    /// Whether any change waits here.
    static func any(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM waiting_change LIMIT 1") ?? false
    }

    /// Takes the changes waiting for `id` out of the table, in the order they arrived here.
    static func take(_ db: Database, awaiting id: String) throws -> [WaitingRow] {
        let rows = try fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT w.origin, w.seq, w.record_id, w.awaits, w.sender, w.source
                    FROM waiting_change w JOIN change_log c ON c.origin = w.origin AND c.seq = w.seq
                    WHERE w.awaits = ? ORDER BY c.local_seq
                    """), arguments: [id])
        if !rows.isEmpty {
            try db.cachedStatement(sql: "DELETE FROM waiting_change WHERE awaits = ?").execute(arguments: [id])
        }
        return rows
    }

    /// Forgets the waiting of `origin`'s changes from `seq` on (they were set aside).
    static func deleteChain(_ db: Database, origin: String, from seq: Int64) throws {
        try db.execute(sql: "DELETE FROM waiting_change WHERE origin = ? AND seq >= ?", arguments: [origin, seq])
    }

    /// The ids (`origin:seq`) of the changes of `recordID` that wait.
    static func changes(_ db: Database, record recordID: String) throws -> Set<String> {
        Set(
            try Row.fetchAll(
                db, sql: "SELECT origin, seq FROM waiting_change WHERE record_id = ?", arguments: [recordID]
            )
            .map { "\($0["origin"] as String):\($0["seq"] as Int64)" })
    }

    /// Per origin and awaited record, in origin order: how many changes wait.
    static func byOrigin(_ db: Database) throws -> [(origin: String, awaits: String, count: Int)] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT origin, awaits, COUNT(*) AS n FROM waiting_change GROUP BY origin, awaits ORDER BY origin, awaits
                """
        ).map { (origin: $0["origin"], awaits: $0["awaits"], count: $0["n"]) }
    }
}
