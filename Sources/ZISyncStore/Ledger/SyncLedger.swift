import Foundation
import GRDB
import ZISyncCore
import ZISyncProtocol

/// The sync ledger: everything a node remembers about syncing, with its parent (the typed state,
/// acknowledgements, uploaded files, the transfer queues) and with its children. Each update is
/// one transaction, and the ones that go with received data share its transaction.
public struct SyncLedger: Sendable {
    let store: Store
    var db: DatabasePool { store.db }

    // MARK: - State

    public func state() throws -> SyncState {
        try db.read { db in try SyncState.fetchOne(db) ?? SyncState() }
    }

    /// Changes the state in one transaction.
    public func update(_ change: (inout SyncState) -> Void) throws {
        try db.write { db in try Self.update(db, change) }
    }

    static func update(_ db: Database, _ change: (inout SyncState) -> Void) throws {
        var state = try SyncState.fetchOne(db) ?? SyncState()
        change(&state)
        try state.save(db)
    }

    // MARK: - What the parent holds

    public func acknowledged() throws -> [String: Int64] {
        try db.read { db in
            var acks: [String: Int64] = [:]
            for row in try ParentAckRow.all(db) { acks[row.origin] = row.seq }
            return acks
        }
    }

    /// Records that the parent holds each origin's chain up to the given sequence. Only ever
    /// raises an acknowledgement, and never beyond what this node itself holds. With `hashes`, a
    /// tip counts only when this node holds the same change there (another one is a fork, not a
    /// delivery). A parent's clock reading and a state change, when given, go in the same transaction.
    public func acknowledge(
        _ tips: [String: Int64], hashes: [String: String]? = nil, clockMilliseconds: Int64? = nil,
        update change: ((inout SyncState) -> Void)? = nil
    ) throws {
        let subtree = store.subtree
        try db.write { db in
            for (origin, seq) in tips where subtree.contains(origin) {
                let held =
                    try OriginHeadRow.tip(db, origin: origin)?.seq
                    ?? 0
                if let hash = hashes?[origin] {
                    let mine = try ChangeRow.hash(db, origin: origin, seq: seq)
                    guard seq <= held, mine == hash else { continue }
                }
                try ParentAckRow.raise(db, origin: origin, seq: min(seq, held))
            }
            if let clockMilliseconds { try Self.observeClock(db, milliseconds: clockMilliseconds) }
            if let change { try Self.update(db, change) }
        }
    }

    /// This database's identity (for the pull answers it gives its children).
    public func databaseIdentity() throws -> String {
        try db.read { db in try NodeMetaRow.databaseIdentity(db) ?? "" }
    }

    /// What the parent's last pull page said it holds, believed over what this node recorded:
    /// the parent restored from an older backup holds less than it acknowledged. Acknowledgements
    /// fall back to its real tips (so the next push sends again what it lost), and every file of
    /// this subtree is confirmed again by the next upload phase. When the parent's database is
    /// another one, the cursor restarts too (duplicates are harmless). Returns true when anything
    /// was believed wrong.
    @discardableResult
    public func believeParent(tips: [String: Int64], database: String?) throws -> Bool {
        let subtree = store.subtree
        return try db.write { db in
            var state = try SyncState.fetchOne(db) ?? SyncState()
            let otherDatabase = database != nil && state.parentDatabase != nil && database != state.parentDatabase
            var lost = false
            for row in try ParentAckRow.all(db) {
                let (origin, acked) = (row.origin, row.seq)
                guard subtree.contains(origin) else { continue }
                let holds = tips[origin] ?? 0
                if holds < acked {
                    try ParentAckRow.set(db, origin: origin, seq: holds)
                    lost = true
                }
            }
            if lost || otherDatabase {
                try UploadedFileRow.deleteAll(db)
                try UploadQueueRow.enqueueAll(db, namedBy: Array(subtree))
            }
            if otherDatabase { state.pullCursor = 0 }
            if let database { state.parentDatabase = database }
            try state.save(db)
            return lost || otherDatabase
        }
    }

    /// Folds a clock reading (the parent's, from a sync answer) into this node's HLC.
    static func observeClock(_ db: Database, milliseconds: Int64) throws {
        let last = try NodeMetaRow.hlc(db) ?? 0
        let seen = HLC(milliseconds: milliseconds, counter: 0).rawValue
        if seen > last { try NodeMetaRow.setHLC(db, seen) }
    }

    /// Applies a page pulled from the parent and moves the cursor in the same transaction.
    /// Changes stamped more than `maxClockAhead` (ms) beyond this node's clock wait here until
    /// it reaches them (or their origin re-stamps them), never moving this node's clock.
    public func receivePulled(
        _ changes: [Change], from parent: String, cursor: Int64, maxClockAhead: Int64 = 300_000,
        certificates: [[UInt8]] = []
    ) throws -> ReceiveReport {
        try store.receive(
            changes, sender: nil, source: "pull from \(parent)", certificates: certificates,
            scope: Scope(node: store.node, registry: store.registry),
            notAfter: HLC(milliseconds: store.physicalNow() + maxClockAhead, counter: 0xFFFF)
        ) { db, _ in
            try Self.update(db) { $0.pullCursor = cursor }
        }
    }
}
