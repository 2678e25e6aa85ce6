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
