import Crypto
import Foundation
import GRDB

extension Store {
    public func record(_ id: String) throws -> StoredRecord? {
        try db.read { db in
            try Row.fetchOne(
                db, sql: "SELECT record_id, record_type, owner, state FROM record_state WHERE record_id = ?",
                arguments: [id]
            ).map(Self.storedRecord)
        }
    }

    /// Records of one type, optionally only those owned inside `subtree`. Tombstoned ones are
    /// left out unless `includeDeleted`.
    public func records(_ type: RecordType, subtree: String? = nil, includeDeleted: Bool = false) throws
        -> [StoredRecord]
    {
        let owners = subtree.map { registry.subtree(of: $0) }
        return try db.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT record_id, record_type, owner, state FROM record_state
                    WHERE record_type = ? \(includeDeleted ? "" : "AND deleted = 0") ORDER BY record_id
                    """, arguments: [type.rawValue]
            )
            .filter { owners?.contains($0["owner"]) ?? true }
            .map(Self.storedRecord)
        }
    }

    static func storedRecord(_ row: Row) throws -> StoredRecord {
        StoredRecord(id: row[0], type: row[1], owner: row[2], fields: try RecordStateCodec.decode(row[3]))
    }

    /// The LKE catalogue as replicated to this node, in document order.
    public func lkeCatalogue() throws -> [LKEItem] {
        try records(.lkeItem)
            .sorted { ($0["order"].intValue ?? 0) < ($1["order"].intValue ?? 0) }
            .map(LKEItem.init(record:))
    }

    // MARK: - History and conflicts

    /// Every write to every field of a record, oldest first, with what became of it.
    public func history(of recordID: String) throws -> [HistoryEntry] {
        let current = try record(recordID)
        let changes = try storedChanges(sql: "WHERE record_id = ? ORDER BY hlc, origin", [recordID])
        return changes.flatMap { stored in
            stored.change.fields.keys.sorted().map { field in
                let version = stored.change.version
                let state = current?.fields[field]
                let outcome: HistoryEntry.Outcome
                if stored.status == "refused" {
                    outcome = .refused
                } else if state?.version == version {
                    outcome = .current
                } else if state?.heads.contains(version) == true {
                    outcome = .conflicting
                } else {
                    outcome = .superseded
                }
                return HistoryEntry(
                    field: field, value: stored.change.fields[field] ?? .null, origin: stored.change.origin,
                    seq: stored.change.seq, hlc: stored.change.hlc, actor: stored.change.actor, outcome: outcome,
                    base: stored.change.base[field] ?? [])
            }
        }
    }

    /// Fields written concurrently that nobody has resolved yet (by writing again).
    public func conflicts() throws -> [ConflictEntry] {
        let keys = try db.read { db in
            try Row.fetchAll(db, sql: "SELECT record_id, field FROM open_conflict ORDER BY record_id, field")
                .map { ($0[0] as String, $0[1] as String) }
        }
        var out: [ConflictEntry] = []
        for (recordID, field) in keys {
            guard let rec = try record(recordID), let state = rec.fields[field] else { continue }
            var values: [ConflictEntry.Value] = []
            for head in state.heads {
                guard
                    let stored = try storedChanges(sql: "WHERE origin = ? AND seq = ?", [head.origin, head.seq]).first
                else { continue }
                values.append(
                    .init(
                        value: stored.change.fields[field] ?? .null, origin: head.origin, seq: head.seq,
                        hlc: stored.change.hlc, actor: stored.change.actor, winner: head == state.version))
            }
            values.sort { $0.winner && !$1.winner }
            out.append(
                ConflictEntry(recordID: recordID, type: rec.type, owner: rec.owner, field: field, values: values))
        }
        return out
    }

    struct StoredChange {
        let change: Change
        let status: String
        let fieldsJSON: String
        let baseJSON: String
    }

    func storedChanges(sql whereClause: String, _ arguments: StatementArguments) throws -> [StoredChange] {
        try db.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT origin, seq, hlc, record_type, record_id, owner, actor, fields, base, prev_hash, hash,
                           status, local_seq FROM change_log \(whereClause)
                    """, arguments: arguments
            ).map(Self.storedChange)
        }
    }

    static func storedChange(_ row: Row) throws -> StoredChange {
        let fieldsJSON: String = row["fields"]
        let baseJSON: String = row["base"]
        let fields = try JSONDecoder().decode([String: FieldValue].self, from: Data(fieldsJSON.utf8))
        let baseText = try JSONDecoder().decode([String: [String]].self, from: Data(baseJSON.utf8))
        let base = baseText.mapValues { $0.compactMap(Version.init) }
        let change = Change(
            origin: row["origin"], seq: row["seq"], hlc: HLC(rawValue: row["hlc"]), recordType: row["record_type"],
            recordID: row["record_id"], owner: row["owner"], fields: fields, base: base, actor: row["actor"],
            prev: row["prev_hash"], hash: row["hash"])
        return StoredChange(
            change: change, status: row["status"], fieldsJSON: fieldsJSON,
            baseJSON: baseJSON)
    }

    // MARK: - Digest

    /// One SHA-256 over every record owned in `satker`'s subtree: id, type, owner and each
    /// field's winning value and version, in a fixed order. Equal on any two nodes that hold
    /// the same data, whatever order it arrived in.
    public func digest(of satker: String) throws -> (digest: String, records: Int) {
        guard registry.contains(satker) else { throw ZISyncError("unknown satker code '\(satker)'") }
        let owners = registry.subtree(of: satker)
        return try db.read { db in
            var hasher = SHA256()
            var count = 0
            let cursor = try Row.fetchCursor(
                db, sql: "SELECT record_id, record_type, owner, state FROM record_state ORDER BY record_id")
            while let row = try cursor.next() {
                guard owners.contains(row["owner"] as String) else { continue }
                let rec = try Self.storedRecord(row)
                var j = CanonicalJSON()
                j.string(rec.id)
                j.raw(" ")
                j.string(rec.type)
                j.raw(" ")
                j.string(rec.owner)
                j.raw(" ")
                j.object(rec.fields.map { ($0.key, $0.value) }) { j, s in
                    j.raw("[")
                    j.value(s.value)
                    j.raw(",")
                    j.int(s.hlc.rawValue)
                    j.raw(",")
                    j.string(s.origin)
                    j.raw(",")
                    j.int(s.seq)
                    j.raw("]")
                }
                j.raw("\n")
                hasher.update(data: j.bytes)
                count += 1
            }
            return (Hashing.hex(hasher.finalize()), count)
        }
    }

    // MARK: - Status figures

    public struct Counts: Sendable {
        public let changes: Int
        public let ownChanges: Int
        public let refused: Int
        public let held: Int
        public let conflicts: Int
    }

    public func counts() throws -> Counts {
        try db.read { db in
            Counts(
                changes: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM change_log") ?? 0,
                ownChanges: try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM change_log WHERE origin = ?", arguments: [node])
                    ?? 0,
                refused: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM refused_change") ?? 0,
                held: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pending_change") ?? 0,
                conflicts: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM open_conflict") ?? 0)
        }
    }

    public struct RefusedChange: Sendable {
        public let change: String
        public let recordID: String
        public let reason: String
        public let sender: String?
        public let source: String
    }

    public func refusedChanges() throws -> [RefusedChange] {
        try db.read { db in
            try Row.fetchAll(
                db, sql: "SELECT origin, seq, record_id, reason, sender, source FROM refused_change ORDER BY id"
            ).map {
                RefusedChange(
                    change: "\($0["origin"] as String):\($0["seq"] as Int64)", recordID: $0["record_id"],
                    reason: $0["reason"], sender: $0["sender"], source: $0["source"])
            }
        }
    }

    // MARK: - Export

    /// Changes of origins inside this node's subtree, in log order: what goes up to the parent.
    /// Unless `all`, only those beyond what the parent has acknowledged.
    public func changesForParent(all: Bool = false) throws -> [Change] {
        let origins = registry.subtree(of: node)
        let acked = all ? [:] : try acknowledged()
        return try db.read { db in
            var out: [Change] = []
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM change_log ORDER BY local_seq")
            while let row = try cursor.next() {
                let origin: String = row["origin"]
                guard origins.contains(origin), (row["seq"] as Int64) > (acked[origin] ?? 0) else { continue }
                out.append(try Self.storedChange(row).change)
            }
            return out
        }
    }

    /// The same changes as `changesForParent`, as wire JSON built straight from the stored
    /// canonical columns (no decoding): what a push sends.
    public func wireChangesForParent(all: Bool = false) throws -> [String] {
        let origins = registry.subtree(of: node)
        let acked = all ? [:] : try acknowledged()
        return try db.read { db in
            var out: [String] = []
            let cursor = try Row.fetchCursor(
                db,
                sql: """
                    SELECT origin, seq, hlc, record_type, record_id, owner, actor, fields, base, prev_hash, hash
                    FROM change_log ORDER BY local_seq
                    """)
            while let row = try cursor.next() {
                let origin: String = row[0]
                let seq: Int64 = row[1]
                guard origins.contains(origin), seq > (acked[origin] ?? 0) else { continue }
                out.append(
                    Change.wireJSON(
                        actor: row[6], baseJSON: row[8], fieldsJSON: row[7], hash: row[10], hlc: row[2],
                        origin: origin, owner: row[5], prev: row[9], recordID: row[4], seq: seq, recordType: row[3]))
            }
            return out
        }
    }

    /// The chain tips this node holds for every origin in `satker`'s subtree: what a receipt
    /// tells that office its parent now has.
    public func chainTips(subtree satker: String) throws -> [String: Int64] {
        let origins = registry.subtree(of: satker)
        return try db.read { db in
            var tips: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT origin, seq FROM origin_head") {
                let origin: String = row[0]
                if origins.contains(origin) { tips[origin] = row[1] }
            }
            return tips
        }
    }

    public func acknowledged() throws -> [String: Int64] {
        try db.read { db in
            Dictionary(
                uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT origin, seq FROM parent_ack").map {
                    ($0[0] as String, $0[1] as Int64)
                })
        }
    }

    /// Records that the parent holds each origin's chain up to the given sequence. Only ever
    /// raises an acknowledgement, and never beyond what this node itself holds. A parent's clock
    /// reading and status facts, when given, are stored in the same transaction.
    public func acknowledge(
        _ tips: [String: Int64], clockMilliseconds: Int64? = nil, meta: [String: String?] = [:]
    ) throws {
        let origins = registry.subtree(of: node)
        try db.write { db in
            for (origin, seq) in tips where origins.contains(origin) {
                let held =
                    try Int64.fetchOne(db, sql: "SELECT seq FROM origin_head WHERE origin = ?", arguments: [origin])
                    ?? 0
                try db.execute(
                    sql: """
                        INSERT INTO parent_ack(origin, seq) VALUES (?, ?)
                        ON CONFLICT(origin) DO UPDATE SET seq = max(seq, excluded.seq)
                        """, arguments: [origin, min(seq, held)])
            }
            if let clockMilliseconds { try Self.observeClock(db, milliseconds: clockMilliseconds) }
            try Self.setMeta(db, meta)
        }
    }
}

public struct HistoryEntry: Sendable {
    public enum Outcome: String, Sendable {
        /// The last-writer-wins value now.
        case current
        /// Written concurrently with the current value and not yet resolved.
        case conflicting
        /// Overwritten by a later write (knowingly, or by losing last-writer-wins).
        case superseded
        /// Refused by the write rules; stored for audit, never applied.
        case refused
    }

    public let field: String
    public let value: FieldValue
    public let origin: String
    public let seq: Int64
    public let hlc: HLC
    public let actor: String
    public let outcome: Outcome
    public let base: [Version]
}

public struct ConflictEntry: Sendable {
    public struct Value: Sendable {
        public let value: FieldValue
        public let origin: String
        public let seq: Int64
        public let hlc: HLC
        public let actor: String
        public let winner: Bool
    }

    public let recordID: String
    public let type: String
    public let owner: String
    public let field: String
    public let values: [Value]
}
