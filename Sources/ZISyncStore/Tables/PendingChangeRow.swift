import Foundation
import GRDB
import ZISyncCore
import ZISyncProtocol

/// A row of `pending_change`: a change held until its turn (a gap before it, or its clock).
struct PendingRow: FetchableRecord, TableRecord {
    static let databaseTableName = "pending_change"
    var origin: String
    var seq: Int64
    var body: String
    var sender: String?

    init(row: Row) {
        origin = row["origin"]
        seq = row["seq"]
        body = row["body"]
        sender = row["sender"]
    }

    func change() throws -> Change { try ChangeDecoder.change(from: Array(body.utf8)) }
}

extension PendingRow {
    /// Keeps a change until its turn. Another change held for the same sequence is replaced only by
    /// one with an earlier clock (`body`: the change as wire JSON).
    static func hold(
        _ db: Database, origin: String, seq: Int64, body: String, sender: String?, at now: Int64, hlc: Int64
    ) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO pending_change(origin, seq, body, sender, received_at, hlc)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(origin, seq) DO UPDATE SET body = excluded.body, sender = excluded.sender,
                    received_at = excluded.received_at, hlc = excluded.hlc
                WHERE excluded.hlc < COALESCE(pending_change.hlc, 9223372036854775807)
                """
        ).execute(arguments: [origin, seq, body, sender, now, hlc])
    }

    static func delete(_ db: Database, origin: String, seq: Int64) throws {
        try db.cachedStatement(sql: "DELETE FROM pending_change WHERE origin = ? AND seq = ?").execute(
            arguments: [origin, seq])
    }

    static func find(_ db: Database, origin: String, seq: Int64) throws -> PendingRow? {
        try fetchOne(
            db, sql: "SELECT origin, seq, body, sender FROM pending_change WHERE origin = ? AND seq = ?",
            arguments: [origin, seq])
    }

    /// The origins with changes held here.
    static func origins(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT DISTINCT origin FROM pending_change")
    }

    /// The changes from above (no sender) held for their clock up to `hlc`, or without a clock, by clock.
    static func fromAbove(_ db: Database, notAfter hlc: Int64) throws -> [PendingRow] {
        try fetchAll(
            db,
            sql: """
                SELECT origin, seq, body, sender FROM pending_change
                WHERE sender IS NULL AND (hlc IS NULL OR hlc <= ?) ORDER BY hlc
                """, arguments: [hlc])
    }

    /// How many changes are held per origin.
    static func countsByOrigin(_ db: Database) throws -> [(origin: String, count: Int)] {
        try Row.fetchAll(db, sql: "SELECT origin, COUNT(*) AS n FROM pending_change GROUP BY origin")
            .map { (origin: $0["origin"] as String, count: $0["n"] as Int) }
    }

    /// Per origin, in origin order: how many are held, the first sequence and the earliest clock.
    static func waiting(_ db: Database) throws -> [(origin: String, count: Int, first: Int64, hlc: Int64?)] {
        try Row.fetchAll(
            db,
            sql:
                "SELECT origin, COUNT(*) AS n, MIN(seq) AS first, MIN(hlc) AS hlc FROM pending_change GROUP BY origin ORDER BY origin"
        ).map {
            (
                origin: $0["origin"] as String, count: $0["n"] as Int, first: $0["first"] as Int64,
                hlc: $0["hlc"] as Int64?
            )
        }
    }

    static func count(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pending_change") ?? 0
    }
}
