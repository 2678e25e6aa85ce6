import Foundation
import GRDB
import ZISyncCore

/// The materialized records (`record_state`): each field's winning value and version, read by id,
/// by type and owner, or through the per-type indexes.
public struct Records: Sendable {
    let store: Store

    public func get(_ id: String) throws -> StoredRecord? {
        try store.db.read { db in try RecordRow.get(db, id)?.record() }
    }

    /// A record of `type` by its id, or by an unambiguous id prefix of 8+ characters.
    public func resolve(_ idOrPrefix: String, as type: RecordType) throws -> StoredRecord {
        if let rec = try get(idOrPrefix) {
            guard rec.type == type.rawValue else {
                throw ZISyncError("\(idOrPrefix) is a \(rec.type), not a \(type.rawValue)")
            }
            return rec
        }
        let prefix = idOrPrefix.lowercased()
        if prefix.count >= 8 {
            // The ids starting with the prefix are a range of the primary key.
            let matches = try store.db.read { db in try RecordRow.withPrefix(db, prefix, type: type.rawValue) }
            if matches.count == 1 { return try matches[0].record() }
            if matches.count > 1 { throw ZISyncError("id prefix '\(idOrPrefix)' matches more than one record") }
        }
        throw ZISyncError("no \(type.rawValue) with id '\(idOrPrefix)' on this node")
    }

    /// Records of one type, optionally only those owned by `owners`, in id order. Tombstoned ones
    /// are left out unless `includeDeleted`. For the small sets (monev, the LKE catalogue);
    /// plans and evidence are listed through their indexes.
    public func list(_ type: RecordType, owners: Set<String>? = nil, includeDeleted: Bool = false) throws
        -> [StoredRecord]
    {
        try store.db.read { db in
            try RecordRow.ofType(db, type.rawValue, owners: owners, includeDeleted: includeDeleted).map {
                try $0.record()
            }
        }
    }

    /// The live bukti dukung of `owner` that name LKE items (their `lke` field), read by index:
    /// a kab/kota may hold thousands of others.
    public func evidenceNamingItems(owner: String) throws -> [StoredRecord] {
        try store.db.read { db in try RecordRow.evidenceNamingItems(db, owner: owner).map { try $0.record() } }
    }

    /// Calls `body` with each record a named query of `record_state` selects (RecordRow), reading
    /// them as a stream so a long list never sits in memory whole.
    func each(
        _ query: (Database) throws -> RecordCursor<RecordRow>, _ body: (StoredRecord) throws -> Void
    ) throws {
        try store.db.read { db in
            let rows = try query(db)
            while let row = try rows.next() { try body(try row.record()) }
        }
    }

    /// The same as `each`, each record read as it is stored (`PlainRecord`): for lists written out.
    func eachPlain(_ query: (Database) throws -> RowCursor, _ body: (PlainRecord) throws -> Void) throws {
        try store.db.read { db in
            let rows = try query(db)
            while let row = try rows.next() { try body(try PlainRecord(row)) }
        }
    }

    /// The LKE catalogue as replicated to this node, in document order.
    public func lkeCatalogue() throws -> [LKEItem] {
        try list(.lkeItem)
            .sorted { ($0["order"].intValue ?? 0) < ($1["order"].intValue ?? 0) }
            .map(LKEItem.init(record:))
    }
}

extension LKEItem {
    public init(record: StoredRecord) {
        self.init(
            code: record.string("code") ?? "", parent: record.string("parent"), level: record.string("level") ?? "",
            aspect: record.string("aspect") ?? "", area: record.string("area") ?? "", name: record.string("name") ?? "",
            answerType: record.string("answer_type") ?? "", weight: record.string("weight") ?? "",
            formula: record.string("formula") ?? "", penjelasan: record.string("penjelasan") ?? "")
    }
}
