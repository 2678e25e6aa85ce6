import Foundation
import GRDB
import ZISyncProtocol

/// A row of `child_seen` is a `ChildSeen` (Ledger/SyncState.swift): what a parent knows of one
/// child. Its reading, and the writes of a push, a report and a pull from the child.
extension ChildSeen: FetchableRecord {
    public init(row: Row) {
        satker = row["satker"]
        lastSeen = row["last_seen"]
        lastPush = row["last_push"]
        lastPull = row["last_pull"]
        pushed = row["pushed"]
        refused = row["refused"]
        report = (row["report"] as String?).flatMap { try? ChildReport.decode(Data($0.utf8)) }
        reportedAt = row["reported_at"]
        lastRefusal = row["last_refusal"]
        lastRefusalAt = row["last_refusal_at"]
        lastCleanPush = row["last_clean_push"]
    }
}

extension ChildSeen {
    /// Every child seen, in satker order.
    static func all(_ db: Database) throws -> [ChildSeen] {
        try fetchAll(db, sql: "SELECT * FROM child_seen ORDER BY satker")
    }

    /// A push from `satker` at `now`, with how many of its changes were applied and refused.
    static func pushed(_ db: Database, satker: String, at now: Int64, applied: Int, refused: Int) throws {
        try db.execute(
            sql: """
                INSERT INTO child_seen(satker, last_seen, last_push, pushed, refused) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(satker) DO UPDATE SET last_seen = excluded.last_seen, last_push = excluded.last_push,
                    pushed = pushed + excluded.pushed, refused = refused + excluded.refused
                """, arguments: [satker, now, now, applied, refused])
    }

    /// The last refusal of a child's changes, in words.
    static func refusedPush(_ db: Database, satker: String, refusal: String, at now: Int64) throws {
        try db.execute(
            sql: "UPDATE child_seen SET last_refusal = ?, last_refusal_at = ? WHERE satker = ?",
            arguments: [refusal, now, satker])
    }

    /// A push in which nothing was refused.
    static func cleanPush(_ db: Database, satker: String, at now: Int64) throws {
        try db.execute(sql: "UPDATE child_seen SET last_clean_push = ? WHERE satker = ?", arguments: [now, satker])
    }

    /// What a child reported of itself (the encoded `ChildReport`).
    static func reported(_ db: Database, satker: String, report: String, at now: Int64) throws {
        try db.execute(
            sql: """
                INSERT INTO child_seen(satker, last_seen, report, reported_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(satker) DO UPDATE SET last_seen = excluded.last_seen, report = excluded.report,
                    reported_at = excluded.reported_at
                """, arguments: [satker, now, report, now])
    }

    static func pulled(_ db: Database, satker: String, at now: Int64) throws {
        try db.execute(
            sql: """
                INSERT INTO child_seen(satker, last_seen, last_pull) VALUES (?, ?, ?)
                ON CONFLICT(satker) DO UPDATE SET last_seen = excluded.last_seen, last_pull = excluded.last_pull
                """, arguments: [satker, now, now])
    }
}
