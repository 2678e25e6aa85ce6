import Foundation
import GRDB
import ZISyncCore
import ZISyncProtocol

/// A row of `change_log`: one change as stored, applied or refused.
struct ChangeRow: FetchableRecord, TableRecord {
    static let databaseTableName = "change_log"
    /// The columns every change query selects.
    static let columns =
        "local_seq, origin, seq, hlc, record_type, record_id, owner, actor, fields, base, prev_hash, hash, status, key_id, signature"

    var localSeq: Int64
    var origin: String
    var seq: Int64
    var hlc: Int64
    var recordType: String
    var recordID: String
    var owner: String
    var actor: String
    /// `fields` and `base` as the canonical JSON the hash covers.
    var fieldsJSON: String
    var baseJSON: String
    var prev: String?
    var hash: String
    var status: String
    var signature: ChangeSignature?

    init(row: Row) {
        localSeq = row["local_seq"]
        origin = row["origin"]
        seq = row["seq"]
        hlc = row["hlc"]
        recordType = row["record_type"]
        recordID = row["record_id"]
        owner = row["owner"]
        actor = row["actor"]
        fieldsJSON = row["fields"]
        baseJSON = row["base"]
        prev = row["prev_hash"]
        hash = row["hash"]
        status = row["status"]
        if let key: String = row["key_id"], let value: String = row["signature"] {
            signature = ChangeSignature(keyID: key, value: value)
        }
    }

    var isApplied: Bool { status == "applied" }

    /// The change, read with the protocol's one change decoder.
    func change() throws -> Change {
        try ChangeDecoder.change(
            origin: origin, seq: seq, hlc: hlc, type: recordType, record: recordID, owner: owner, actor: actor,
            fieldsJSON: fieldsJSON, baseJSON: baseJSON, prev: prev, hash: hash, signature: signature)
    }

    /// The wire form straight from the stored canonical columns (no decoding): what a push or a
    /// pull page sends.
    var wire: String {
        Change.wireJSON(
            actor: actor, baseJSON: baseJSON, fieldsJSON: fieldsJSON, hash: hash, hlc: hlc, origin: origin,
            owner: owner, prev: prev, recordID: recordID, seq: seq, recordType: recordType, signature: signature)
    }
}

extension ChangeRow {
    /// The hash of `origin`'s change `seq` as held here (nil when it is not): how a tip, an
    /// acknowledgement or a chain link is checked against the log.
    static func hash(_ db: Database, origin: String, seq: Int64) throws -> String? {
        try String.fetchOne(
            db.cachedStatement(sql: "SELECT hash FROM change_log WHERE origin = ? AND seq = ?"),
            arguments: [origin, seq])
    }
}

extension ChangeRow {
    /// Stores a change, `applied` or `refused` (`status`), with its fields and base as encoded.
    static func insert(
        _ db: Database, _ change: Change, fieldsJSON: String, baseJSON: String, status: String, receivedAt: Int64
    ) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO change_log(origin, seq, hlc, record_type, record_id, owner, actor, fields, base,
                                       prev_hash, hash, status, received_at, key_id, signature)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                change.origin, change.seq, change.hlc.rawValue, change.recordType, change.recordID, change.owner,
                change.actor, fieldsJSON, baseJSON, change.prev, change.hash, status, receivedAt,
                change.signature?.keyID, change.signature?.value,
            ])
    }

    /// One stored change by origin and sequence.
    static func find(_ db: Database, origin: String, seq: Int64) throws -> ChangeRow? {
        try fetchOne(
            db, sql: "SELECT \(ChangeRow.columns) FROM change_log WHERE origin = ? AND seq = ?",
            arguments: [origin, seq])
    }

    /// Whether this version is stored here as applied.
    static func isApplied(_ db: Database, _ v: Version) throws -> Bool {
        try Bool.fetchOne(
            db, sql: "SELECT 1 FROM change_log WHERE origin = ? AND seq = ? AND status = 'applied'",
            arguments: [v.origin, v.seq]) ?? false
    }

    /// Every change to a record, oldest first.
    static func ofRecord(_ db: Database, _ recordID: String) throws -> [ChangeRow] {
        try fetchAll(
            db, sql: "SELECT \(ChangeRow.columns) FROM change_log WHERE record_id = ? ORDER BY hlc, origin",
            arguments: [recordID])
    }

    /// Every change, each origin's chain in order, as a stream (verify).
    static func inChainOrder(_ db: Database) throws -> RecordCursor<ChangeRow> {
        try fetchCursor(db, sql: "SELECT \(ChangeRow.columns) FROM change_log ORDER BY origin, seq")
    }

    static func count(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM change_log") ?? 0
    }

    /// The last sequence of `origin`'s chain stored here (0 when none).
    static func lastSeq(_ db: Database, origin: String) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM change_log WHERE origin = ?", arguments: [origin])
            ?? 0
    }

    /// The arrival number of the newest change (nil when none).
    static func newestArrival(_ db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT MAX(local_seq) FROM change_log")
    }

    /// The clock of `origin`'s first change after `seq`.
    static func firstClock(_ db: Database, origin: String, after seq: Int64) throws -> Int64? {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT hlc FROM change_log WHERE origin = ? AND seq > ? ORDER BY seq LIMIT 1"),
            arguments: [origin, seq])
    }

    /// At most `limit` of `origin`'s changes after `after` up to `through`, in chain order, as a stream.
    static func chain(
        _ db: Database, origin: String, after: Int64, through: Int64, limit: Int
    ) throws -> RecordCursor<ChangeRow> {
        try fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT \(ChangeRow.columns) FROM change_log
                    WHERE origin = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?
                    """), arguments: [origin, after, through, limit])
    }

    /// A child's page: of the arrivals after `cursor` up to `windowEnd`, the applied reference
    /// changes and those owned in `scope` that came from outside it (with `includingOwnChains`,
    /// also every change whose origin is in it), at most `limit`, in arrival order.
    static func page(
        _ db: Database, after cursor: Int64, through windowEnd: Int64, reference: [String], scope: [String],
        includingOwnChains: Bool, limit: Int
    ) throws -> [ChangeRow] {
        let marks = databaseQuestionMarks(count: scope.count)
        let own = includingOwnChains ? "OR origin IN (\(marks))" : ""
        var arguments: [any DatabaseValueConvertible] = [cursor, windowEnd]
        arguments += reference as [any DatabaseValueConvertible]
        arguments += (scope + scope + (includingOwnChains ? scope : [])) as [any DatabaseValueConvertible]
        arguments.append(limit)
        return try fetchAll(
            db,
            sql: """
                SELECT \(ChangeRow.columns) FROM change_log
                WHERE local_seq > ? AND local_seq <= ?
                  AND ((status = 'applied'
                        AND (record_type IN (\(databaseQuestionMarks(count: reference.count)))
                             OR (owner IN (\(marks)) AND origin NOT IN (\(marks)))))
                       \(own))
                ORDER BY local_seq LIMIT ?
                """,
            arguments: StatementArguments(arguments))
    }
}
