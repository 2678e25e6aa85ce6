import GRDB
import ZISyncCore

/// The statements of `change_log` that repair an origin's chain: signatures replaced or made
/// anew, changes set aside from a sequence on, a clock that ran ahead re-stamped (ApplySession+ChainRepair).
extension ChangeRow {
    /// The key id and signature a stored change carries; nil when it is not stored.
    static func signature(_ db: Database, origin: String, seq: Int64) throws -> (keyID: String?, value: String?)? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT key_id, signature FROM change_log WHERE origin = ? AND seq = ?"),
            arguments: [origin, seq]
        ).map { (keyID: $0["key_id"] as String?, value: $0["signature"] as String?) }
    }

    static func setSignature(_ db: Database, origin: String, seq: Int64, keyID: String, value: String) throws {
        try db.execute(
            sql: "UPDATE change_log SET key_id = ?, signature = ? WHERE origin = ? AND seq = ?",
            arguments: [keyID, value, origin, seq])
    }

    /// `origin`'s changes without a signature or signed with one of `keyIDs`, in chain order.
    static func unsigned(_ db: Database, origin: String, orSignedWith keyIDs: [String]) throws -> [ChangeRow] {
        try fetchAll(
            db,
            sql: """
                SELECT \(ChangeRow.columns) FROM change_log WHERE origin = ?
                AND (key_id IS NULL OR key_id IN (\(databaseQuestionMarks(count: keyIDs.count))))
                ORDER BY seq
                """, arguments: StatementArguments([origin] + keyIDs))
    }

    /// How many of `origin`'s changes from `seq` on carry a signature with `keyID`.
    static func countSigned(_ db: Database, origin: String, from seq: Int64, keyID: String?) throws -> Int {
        try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM change_log WHERE origin = ? AND seq >= ? AND key_id = ?",
            arguments: [origin, seq, keyID]) ?? 0
    }

    /// `origin`'s changes from `seq` on, in chain order.
    static func chain(_ db: Database, origin: String, from seq: Int64) throws -> [ChangeRow] {
        try fetchAll(
            db, sql: "SELECT \(ChangeRow.columns) FROM change_log WHERE origin = ? AND seq >= ? ORDER BY seq",
            arguments: [origin, seq])
    }

    static func deleteChain(_ db: Database, origin: String, from seq: Int64) throws {
        try db.execute(sql: "DELETE FROM change_log WHERE origin = ? AND seq >= ?", arguments: [origin, seq])
    }

    /// The applied changes to a record, in arrival order.
    static func applied(_ db: Database, toRecord id: String) throws -> [ChangeRow] {
        try fetchAll(
            db,
            sql:
                "SELECT \(ChangeRow.columns) FROM change_log WHERE record_id = ? AND status = 'applied' ORDER BY local_seq",
            arguments: [id])
    }

    /// The first of `origin`'s changes after `seq` stamped later than `hlc`.
    static func firstStamped(_ db: Database, origin: String, after seq: Int64, laterThan hlc: Int64) throws -> Int64? {
        try Int64.fetchOne(
            db, sql: "SELECT MIN(seq) FROM change_log WHERE origin = ? AND seq > ? AND hlc > ?",
            arguments: [origin, seq, hlc])
    }

    /// The latest clock stored here that is not later than `hlc`.
    static func latestClock(_ db: Database, notAfter hlc: Int64) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT MAX(hlc) FROM change_log WHERE hlc <= ?", arguments: [hlc])
    }

    /// Puts a re-stamped change in the place of the first version: its new clock, links, hash
    /// and signature, and a new arrival number (children that pulled the first version pull this one).
    static func restamp(_ db: Database, _ new: Change, receivedAt: Int64, signature: ChangeSignature?) throws {
        try db.execute(
            sql: """
                UPDATE change_log SET hlc = ?, prev_hash = ?, hash = ?, received_at = ?, key_id = ?, signature = ?,
                    local_seq = (SELECT MAX(local_seq) + 1 FROM change_log)
                WHERE origin = ? AND seq = ?
                """,
            arguments: [
                new.hlc.rawValue, new.prev, new.hash, receivedAt, signature?.keyID, signature?.value, new.origin,
                new.seq,
            ])
    }

    /// Marks a change that waited for a record it names as applied, with a new arrival number:
    /// a child whose cursor passed its first place still pulls it.
    static func applyAfterWaiting(_ db: Database, origin: String, seq: Int64) throws {
        try db.execute(
            sql: """
                UPDATE change_log SET status = 'applied', local_seq = (SELECT MAX(local_seq) + 1 FROM change_log)
                WHERE origin = ? AND seq = ?
                """, arguments: [origin, seq])
    }
}
