import Crypto
import Foundation
import GRDB
import ZISyncCore

/// The audit queries: every version of a record, the open conflicts, the refusals, the digest of
/// a subtree, the verification of the log against itself, and the counts `status` shows.
public struct Audit: Sendable {
    let store: Store

    // MARK: - History and conflicts

    /// Every write to every field of a record, oldest first, with what became of it.
    public func history(of recordID: String) throws -> [HistoryEntry] {
        let current = try store.records.get(recordID)
        let (rows, waiting) = try store.db.read { db in
            (try ChangeRow.ofRecord(db, recordID), try WaitingRow.changes(db, record: recordID))
        }
        return try rows.flatMap { row in
            let change = try row.change()
            return change.fields.keys.sorted().map { field in
                let version = change.version
                let state = current?.fields[field]
                let outcome: HistoryEntry.Outcome
                if !row.isApplied {
                    outcome = waiting.contains(change.id) ? .waiting : .refused
                } else if state?.version == version {
                    outcome = .current
                } else if state?.heads.contains(version) == true {
                    outcome = .conflicting
                } else {
                    outcome = .superseded
                }
                return HistoryEntry(
                    field: field, value: change.fields[field] ?? .null, origin: change.origin, seq: change.seq,
                    hlc: change.hlc, actor: change.actor, outcome: outcome, base: change.base[field] ?? [])
            }
        }
    }

    /// Fields written concurrently that nobody has resolved yet (by writing again).
    public func conflicts() throws -> [ConflictEntry] {
        let keys = try store.db.read { db in try OpenConflictRow.all(db).map { ($0.recordID, $0.field) } }
        var out: [ConflictEntry] = []
        for (recordID, field) in keys {
            guard let rec = try store.records.get(recordID), let state = rec.fields[field] else { continue }
            var values: [ConflictEntry.Value] = []
            for head in state.heads {
                guard let change = try change(head) else { continue }
                values.append(
                    .init(
                        value: change.fields[field] ?? .null, origin: head.origin, seq: head.seq, hlc: change.hlc,
                        actor: change.actor, winner: head == state.version))
            }
            values.sort { $0.winner && !$1.winner }
            out.append(
                ConflictEntry(recordID: recordID, type: rec.type, owner: rec.owner, field: field, values: values))
        }
        return out
    }

    /// One stored change by its version.
    func change(_ version: Version) throws -> Change? {
        try store.db.read { db in try ChangeRow.find(db, origin: version.origin, seq: version.seq) }?.change()
    }

    // MARK: - Refusals and counts

    public func refusedChanges() throws -> [RefusedChange] {
        try store.db.read { db in
            try RefusedRow.all(db).map {
                RefusedChange(
                    change: "\($0.origin):\($0.seq)", recordID: $0.recordID, reason: $0.reason, sender: $0.sender,
                    source: $0.source)
            }
        }
    }

    public func counts() throws -> Counts {
        try store.db.read { db in
            Counts(
                changes: try ChangeRow.count(db), ownChanges: try ChangeRow.lastSeq(db, origin: store.node),
                refused: try RefusedRow.count(db), held: try PendingRow.count(db),
                conflicts: try OpenConflictRow.count(db))
        }
    }

    /// Changes waiting here, per origin, and what will release them (`status`).
    public struct Waiting: Sendable, Codable, Equatable {
        public let origin: String
        public let changes: Int
        /// "clock": stamped beyond this node's clock; "earlier": waits for an earlier change of its
        /// origin; "record": stored, and waits for a record it names.
        public let reason: String
        /// For "clock": when this node's clock reaches the earliest of them (ms since the epoch).
        public let releaseAt: Int64?
        /// What releases them, in words.
        public let releasedBy: String
    }

    public func waiting() throws -> [Waiting] {
        let now = store.physicalNow()
        let limit = store.clockSkewLimitMilliseconds
        let (rows, forRecords) = try store.db.read { db in (try PendingRow.waiting(db), try WaitingRow.byOrigin(db)) }
        let heads = try store.db.read { db in
            try OriginHeadRow.seqs(db)
        }
        return rows.map { row in
            let origin = row.origin
            let hlc = row.hlc.map { HLC(rawValue: $0) }
            let first = row.first
            if let hlc, hlc.milliseconds > now + limit {
                return Waiting(
                    origin: origin, changes: row.count, reason: "clock", releaseAt: hlc.milliseconds - limit,
                    releasedBy:
                        "stamped \(hlc) by a clock ahead of this one: applied when this clock reaches it, or when \(origin) re-stamps them (it does so by itself once its clock is right)"
                )
            }
            let expected = (heads[origin] ?? 0) + 1
            return Waiting(
                origin: origin, changes: row.count, reason: "earlier", releaseAt: nil,
                releasedBy: first > expected
                    ? "wait for \(origin):\(expected), which has not arrived; the next sync from \(origin) brings it"
                    : "applied at the next sync")
        }
            + forRecords.map { row in
                Waiting(
                    origin: row.origin, changes: row.count, reason: "record", releaseAt: nil,
                    releasedBy:
                        "they name \(row.awaits), which is not here yet: checked again when it arrives (a review or bukti dukung that came before what it names)"
                )
            }
    }

    // MARK: - Digest

    /// One SHA-256 over the kept digests of every office in `satker`'s subtree that holds records
    /// here: a line of owner, record count and sum of record hashes (`RecordDigest`) each, in owner
    /// order. Equal on any two nodes that hold the same data, whatever order it arrived in, and
    /// read from one row per office, not from the records (`verify` recomputes them).
    public func digest(of satker: String) throws -> (digest: String, records: Int) {
        let registry = store.registry
        guard registry.contains(satker) else { throw ZISyncError("unknown satker code '\(satker)'") }
        let owners = registry.subtree(of: satker)
        // The whole registry is every record, of whatever owner.
        let everyone = owners.count == registry.all.count
        let kept = try store.db.read { db in try OwnerDigestRow.all(db) }
        var hasher = SHA256()
        var count = 0
        for row in kept.sorted(by: { $0.owner.utf8.lexicographicallyPrecedes($1.owner.utf8) })
        where everyone || owners.contains(row.owner) {
            var j = CanonicalJSON()
            j.string(row.owner)
            j.raw(" ")
            j.int(Int64(row.records))
            j.raw(" ")
            j.rawBytes(Array(row.sum.hex.utf8))
            j.raw("\n")
            hasher.update(data: j.bytes)
            count += row.records
        }
        return (Hashing.hex(hasher.finalize()), count)
    }
}

public struct Counts: Sendable {
    public let changes: Int
    /// This node's own changes: the length of its own chain.
    public let ownChanges: Int
    public let refused: Int
    public let held: Int
    public let conflicts: Int
}

public struct RefusedChange: Sendable {
    public let change: String
    public let recordID: String
    public let reason: String
    public let sender: String?
    public let source: String
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
        /// Not applied yet: it names a record that is not here; checked again when that arrives.
        case waiting
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
