import Foundation
import GRDB
import ZISyncCore
import ZISyncProtocol

// The rows of the node database as record types (columns by name, never by position).

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

/// A row of `origin_head`: the tip of one origin's chain as held here.
struct OriginHeadRow: FetchableRecord, TableRecord {
    static let databaseTableName = "origin_head"
    var origin: String
    var seq: Int64
    var hash: String

    init(row: Row) {
        origin = row["origin"]
        seq = row["seq"]
        hash = row["hash"]
    }
}

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
