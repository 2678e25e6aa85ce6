import Foundation
import GRDB
import ZISyncAuthenticity
import ZISyncCore
import ZISyncProtocol

/// One write transaction's worth of applying changes. Caches chain tips and records so a
/// batch touches each row once, and writes them back in `finish()`, inside the same
/// transaction as the change rows (a crash leaves all or nothing). Its work is split by concern:
/// local writes (+Local), received changes and their rules (+Receive), the pending queue
/// (+Pending), changes waiting for a record they name (+Waiting), chain repair: revoked keys,
/// forks, a clock ahead (+ChainRepair).
struct ApplySession {
    let db: Database
    let node: String
    let registry: SatkerRegistry
    let authorization: Authorization
    var clock: HybridClock
    var heads: [String: (seq: Int64, hash: String)?] = [:]
    var dirtyHeads: Set<String> = []
    var records: [String: StoredRecord?] = [:]
    /// Each cached record as it was stored before this session (nil: not stored yet).
    var stored: [String: StoredRecord?] = [:]
    var dirtyRecords: Set<String> = []
    /// The batch's changes to each owner's kept digest, written by `finish()`.
    var digests = OwnerDigestDeltas()
    /// Records this session created by local writes: no evidence can name them yet.
    var createdHere: Set<String> = []
    var inSubtree: [String: Bool] = [:]
    /// Origins that may have held changes waiting; others skip the lookup.
    var pendingOrigins: Set<String>?
    /// Whether changes wait here for a record they name (nil: not asked yet); and the records
    /// first stored by this session that such changes may wait for, not yet looked up.
    var hasWaiting: Bool?
    var arrivals: [String] = []
    var releasingWaiting = false
    /// Changes stamped later than this wait in `pending_change` until this node's clock
    /// catches up, so a node whose clock runs ahead cannot win every later conflict.
    var notAfter: HLC?
    let now: Int64
    /// The latest clock this node believes (its physical clock plus the skew limit): a change
    /// stamped later never moves this node's clock, and its own clock beyond it has run ahead.
    let saneUntil: HLC
    let physicalNow: @Sendable () -> Int64
    /// This node's subtree and whether it has a parent: what the file queues need to know.
    let subtree: Set<String>
    let hasParent: Bool
    /// This node's key: its own changes are signed as they are made.
    let signer: OriginKey?
    /// The checks of who wrote a received change; nil on a node without the deployment's trust.
    var authenticity: ChangeAuthenticity?
    /// The batch's changes found authentic by the chain rule (`ChangeAuthenticity.vouch`).
    var vouchedByChain: [Bool?] = []

    init(db: Database, store: Store, authorization: Authorization) throws {
        self.db = db
        self.node = store.node
        self.registry = authorization.registry
        self.authorization = authorization
        // The seed's registry differs from the store's only while the store is being created.
        subtree = store.registry.all.isEmpty ? authorization.registry.subtree(of: store.node) : store.subtree
        hasParent = authorization.registry[store.node]?.parent != nil
        let last = try NodeMetaRow.hlc(db) ?? 0
        clock = HybridClock(last: HLC(rawValue: last), physicalNow: store.physicalNow)
        now = store.physicalNow()
        saneUntil = HLC(milliseconds: now + store.clockSkewLimitMilliseconds, counter: 0xFFFF)
        physicalNow = store.physicalNow
        signer = store.originKey
        if let trust = store.deploymentTrust {
            authenticity = ChangeAuthenticity(trust: trust, revocations: try ReferenceIndex.revocations(db))
        }
    }

    /// Checks up front which of a batch's changes the chain rule vouches for (one signature per
    /// origin's run); the others are checked one by one as they come.
    mutating func checkAuthorship(of changes: [Change]) throws {
        guard authenticity != nil else { return }
        let registry = self.registry
        let node = self.node
        vouchedByChain = try authenticity!.vouch(
            changes, chained: { registry.isInSubtree($0, of: node) }, db: db)
    }

    func vouched(_ index: Int) -> Bool? { index < vouchedByChain.count ? vouchedByChain[index] : nil }

    // MARK: Reads through the cache

    mutating func head(_ origin: String) throws -> (seq: Int64, hash: String)? {
        if let cached = heads[origin] { return cached }
        let row = try OriginHeadRow.tip(db, origin: origin)
        let value = row.map { (seq: $0.seq, hash: $0.hash) }
        heads[origin] = .some(value)
        return value
    }

    mutating func record(_ id: String) throws -> StoredRecord? {
        if let cached = records[id] { return cached }
        let value = try RecordRow.get(db, id)?.record()
        records[id] = .some(value)
        stored[id] = .some(value)
        return value
    }

    static func wasApplied(_ db: Database, _ v: Version) throws -> Bool { try ChangeRow.isApplied(db, v) }

    /// Writes cached chain tips, records and the clock back. Same transaction as the log rows.
    mutating func finish() throws {
        for origin in dirtyHeads {
            guard let tip = heads[origin] ?? nil else { continue }
            try OriginHeadRow.set(db, origin: origin, seq: tip.seq, hash: tip.hash)
        }
        // Plans before evidence: evidence reads its plan's area from the table.
        var plans: [String] = []
        var evidence: [StoredRecord] = []
        for id in dirtyRecords {
            guard let rec = records[id] ?? nil else {
                // Written only by changes set aside: gone until they are written again.
                if let gone = stored[id] ?? nil {
                    try RecordRow.delete(db, id)
                    digests.removed(gone)
                }
                continue
            }
            if rec.type == RecordType.evidence.rawValue {
                evidence.append(rec)
            } else if try RecordIndexes.store(
                db, rec, stored: stored[id] ?? nil, subtree: subtree, hasParent: hasParent, digests: &digests),
                !createdHere.contains(id) || (stored[id] ?? nil) != nil
            {
                plans.append(rec.id)
            }
        }
        try RecordIndexes.evidenceOf(db, plans: plans)
        for rec in evidence {
            try RecordIndexes.store(
                db, rec, stored: stored[rec.id] ?? nil, subtree: subtree, hasParent: hasParent, digests: &digests)
        }
        try digests.write(db)
        try NodeMetaRow.setHLC(db, clock.last.rawValue)
        dirtyHeads = []
        dirtyRecords = []
        createdHere = []
        for id in records.keys { stored[id] = records[id] }
    }

    /// Writes what the session holds and forgets its caches (the database has it all, in the same
    /// transaction), so a long batch of local writes holds one slice in memory, not the batch.
    mutating func flushAndForget() throws {
        try finish()
        records = [:]
        stored = [:]
        heads = [:]
    }
}
