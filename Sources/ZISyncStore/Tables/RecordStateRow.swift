import Foundation
import GRDB
import ZISyncCore
import ZISyncProtocol

/// A row of `record_state`: one materialized record.
struct RecordRow: FetchableRecord, TableRecord {
    static let databaseTableName = "record_state"
    static let columns = "record_id, record_type, owner, state"

    var recordID: String
    var recordType: String
    var owner: String
    var state: String

    init(row: Row) {
        recordID = row["record_id"]
        recordType = row["record_type"]
        owner = row["owner"]
        state = row["state"]
    }

    func record() throws -> StoredRecord {
        StoredRecord(id: recordID, type: recordType, owner: owner, fields: try RecordStateCodec.decode(state))
    }
}

extension RecordRow {
    /// One record by id (nil when it is not here).
    static func get(_ db: Database, _ id: String) throws -> RecordRow? {
        try fetchOne(
            db.cachedStatement(sql: "SELECT \(RecordRow.columns) FROM record_state WHERE record_id = ?"),
            arguments: [id])
    }

    /// Removes a record (written only by changes set aside: gone until they are written again).
    static func delete(_ db: Database, _ id: String) throws {
        try db.execute(sql: "DELETE FROM record_state WHERE record_id = ?", arguments: [id])
    }

    /// At most two records of `type` whose id starts with `prefix` (a range of the primary key).
    static func withPrefix(_ db: Database, _ prefix: String, type: String) throws -> [RecordRow] {
        try fetchAll(
            db,
            sql: """
                SELECT \(RecordRow.columns) FROM record_state
                WHERE record_id >= ? AND record_id < ? AND record_type = ? LIMIT 2
                """, arguments: [prefix, prefix + "\u{10FFFF}", type])
    }

    /// Records of one type, of `owners` only when given, in id order; tombstones only with
    /// `includeDeleted`.
    static func ofType(
        _ db: Database, _ type: String, owners: Set<String>?, includeDeleted: Bool
    ) throws -> [RecordRow] {
        var sql = "SELECT \(RecordRow.columns) FROM record_state WHERE record_type = ?"
        var arguments: [any DatabaseValueConvertible] = [type]
        if !includeDeleted { sql += " AND deleted = 0" }
        if let owners {
            sql += " AND owner IN (\(databaseQuestionMarks(count: owners.count)))"
            arguments += Array(owners)
        }
        sql += " ORDER BY record_id"
        return try fetchAll(db, sql: sql, arguments: StatementArguments(arguments))
    }

    /// The live records of a reference type (`satker`, `lke_item`, `revocation`), as a stream.
    static func live(_ db: Database, _ type: RecordType) throws -> RecordCursor<RecordRow> {
        try fetchCursor(
            db,
            sql: "SELECT \(RecordRow.columns) FROM record_state WHERE record_type = '\(type.rawValue)' AND deleted = 0")
    }

    /// Every record, in no particular order, as a stream (verify).
    static func all(_ db: Database) throws -> RecordCursor<RecordRow> {
        try fetchCursor(db, sql: "SELECT \(RecordRow.columns) FROM record_state")
    }

    /// Every record, evidence last (its plan's area is read from the table).
    static func allEvidenceLast(_ db: Database) throws -> [RecordRow] {
        try fetchAll(db, sql: "SELECT \(RecordRow.columns) FROM record_state ORDER BY record_type = 'evidence'")
    }
}
