import Foundation
import GRDB
import ZISyncCore
import ZISyncProtocol

/// One write transaction's worth of applying changes. Caches chain tips and records so a
/// batch touches each row once, and writes them back in `finish()`, inside the same
/// transaction as the change rows (a crash leaves all or nothing).
struct ApplySession {
    let db: Database
    let node: String
    let registry: SatkerRegistry
    let authorization: Authorization
    private var clock: HybridClock
    private var heads: [String: (seq: Int64, hash: String)?] = [:]
    private var dirtyHeads: Set<String> = []
    private var records: [String: StoredRecord?] = [:]
    /// Each cached record as it was stored before this session (nil: not stored yet).
    private var stored: [String: StoredRecord?] = [:]
    private var dirtyRecords: Set<String> = []
    /// Records this session created by local writes: no evidence can name them yet.
    private var createdHere: Set<String> = []
    private var inSubtree: [String: Bool] = [:]
    /// Origins that may have held changes waiting; others skip the lookup.
    private var pendingOrigins: Set<String>?
    /// Changes stamped later than this wait in `pending_change` until this node's clock
    /// catches up, so a node whose clock runs ahead cannot win every later conflict.
    var notAfter: HLC?
    private let now: Int64
    /// This node's subtree and whether it has a parent: what the file queues need to know.
    private let subtree: Set<String>
    private let hasParent: Bool

    init(db: Database, store: Store, authorization: Authorization) throws {
        self.db = db
        self.node = store.node
        self.registry = authorization.registry
        self.authorization = authorization
        // The seed's registry differs from the store's only while the store is being created.
        subtree = store.registry.all.isEmpty ? authorization.registry.subtree(of: store.node) : store.subtree
        hasParent = authorization.registry[store.node]?.parent != nil
        let last = try Int64.fetchOne(db, sql: "SELECT value FROM node_meta WHERE key = 'hlc'") ?? 0
        clock = HybridClock(last: HLC(rawValue: last), physicalNow: store.physicalNow)
        now = store.physicalNow()
    }

    // MARK: Reads through the cache

    mutating func head(_ origin: String) throws -> (seq: Int64, hash: String)? {
        if let cached = heads[origin] { return cached }
        let row = try OriginHeadRow.fetchOne(
            db.cachedStatement(sql: "SELECT origin, seq, hash FROM origin_head WHERE origin = ?"), arguments: [origin])
        let value = row.map { (seq: $0.seq, hash: $0.hash) }
        heads[origin] = .some(value)
        return value
    }

    mutating func record(_ id: String) throws -> StoredRecord? {
        if let cached = records[id] { return cached }
        let row = try RecordRow.fetchOne(
            db.cachedStatement(sql: "SELECT \(RecordRow.columns) FROM record_state WHERE record_id = ?"),
            arguments: [id])
        let value = try row?.record()
        records[id] = .some(value)
        stored[id] = .some(value)
        return value
    }

    // MARK: Local writes

    mutating func makeLocalChange(
        type: RecordType, recordID: String, owner: String, fields: [String: FieldValue], actor: String
    ) throws -> Change {
        let existing = try record(recordID)
        if let existing, existing.type != type.rawValue || existing.owner != owner {
            throw ZISyncError(
                "record \(recordID) is a \(existing.type) of \(existing.owner), not a \(type.rawValue) of \(owner)")
        }
        var base: [String: [Version]] = [:]
        for name in fields.keys { base[name] = existing?.fields[name]?.heads ?? [] }
        let tip = try head(node)
        let change = Change(
            origin: node, seq: (tip?.seq ?? 0) + 1, hlc: clock.tick(), recordType: type.rawValue, recordID: recordID,
            owner: owner, fields: fields, base: base, actor: actor, prev: tip?.hash)
        if let reason = authorization.refusal(of: change) {
            throw ZISyncError(reason)
        }
        if existing == nil { createdHere.insert(recordID) }
        var report = ReceiveReport()
        try apply(
            change, encoded: (change.fieldsJSON, change.baseJSON), sender: nil, source: "local", checked: true,
            report: &report)
        return change
    }

    // MARK: Received changes

    /// True when this node keeps `origin`'s whole chain (the origin is in its subtree).
    private mutating func keepsChain(of origin: String) -> Bool {
        if let known = inSubtree[origin] { return known }
        let value = registry.isInSubtree(origin, of: node)
        inSubtree[origin] = value
        return value
    }

    /// Checks a received change and applies, holds or refuses it.
    mutating func receive(_ change: Change, sender: String?, source: String, report: inout ReceiveReport) throws {
        // The door first: a sender may deliver only its own subtree's changes, stored or not.
        if let sender, let reason = authorization.doorRefusal(origin: change.origin, sender: sender) {
            try refuseOutsideChain(change, reason: reason, sender: sender, source: source, report: &report)
            return
        }
        let chained = keepsChain(of: change.origin)
        let tip = chained ? try head(change.origin) : nil
        // The same change again (replay, second import) changes nothing. A chained origin's
        // change beyond its tip cannot be stored yet, so the lookup is skipped.
        if !chained || change.seq <= (tip?.seq ?? 0),
            let storedHash = try String.fetchOne(
                db.cachedStatement(sql: "SELECT hash FROM change_log WHERE origin = ? AND seq = ?"),
                arguments: [change.origin, change.seq])
        {
            if storedHash == change.hash {
                report.duplicates += 1
            } else {
                try refuseOutsideChain(
                    change,
                    reason: "a different change \(change.id) is already stored (hash \(storedHash.prefix(12))…)",
                    sender: sender, source: source, report: &report)
            }
            return
        }
        let encoded = (change.fieldsJSON, change.baseJSON)
        guard change.seq > 0, change.computedHash(fieldsJSON: encoded.0, baseJSON: encoded.1) == change.hash else {
            try refuseOutsideChain(
                change, reason: "hash does not match the change's content (edited or corrupted)", sender: sender,
                source: source, report: &report)
            return
        }
        if chained {
            // This node keeps the whole chain of every origin in its subtree.
            let expected = (tip?.seq ?? 0) + 1
            if let notAfter, change.hlc > notAfter, change.seq >= expected {
                try hold(change, sender: sender)
                report.held += 1
                report.heldForClock += 1
                return
            }
            if change.seq > expected {
                try hold(change, sender: sender)
                report.held += 1
                return
            }
            if change.prev != tip?.hash {
                try refuseOutsideChain(
                    change, reason: "previous hash does not match \(change.origin)'s chain at sequence \(expected - 1)",
                    sender: sender, source: source, report: &report)
                return
            }
        }
        try apply(change, encoded: encoded, sender: sender, source: source, report: &report)
        if chained { try releasePending(after: change, source: source, report: &report) }
    }

    private mutating func hold(_ change: Change, sender: String?) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO pending_change(origin, seq, body, sender, received_at)
                VALUES (?, ?, ?, ?, ?)
                """
        ).execute(arguments: [change.origin, change.seq, change.wireJSON, sender, now])
        pendingOrigins?.insert(change.origin)
    }

    /// Applies held changes of origins in `sender`'s subtree whose turn and time have come.
    mutating func releaseDue(in sender: String, source: String, report: inout ReceiveReport) throws {
        for origin in try String.fetchAll(db, sql: "SELECT DISTINCT origin FROM pending_change")
        where registry.isInSubtree(origin, of: sender) {
            try releasePending(origin: origin, after: try head(origin)?.seq ?? 0, source: source, report: &report)
        }
    }

    /// Applies the held successors of `change` whose turn has come.
    private mutating func releasePending(after change: Change, source: String, report: inout ReceiveReport) throws {
        try releasePending(origin: change.origin, after: change.seq, source: source, report: &report)
    }

    private mutating func releasePending(
        origin: String, after seq: Int64, source: String, report: inout ReceiveReport
    ) throws {
        if pendingOrigins == nil {
            pendingOrigins = Set(try String.fetchAll(db, sql: "SELECT DISTINCT origin FROM pending_change"))
        }
        guard pendingOrigins!.contains(origin) else { return }
        var next = seq + 1
        while let row = try PendingRow.fetchOne(
            db, sql: "SELECT origin, seq, body, sender FROM pending_change WHERE origin = ? AND seq = ?",
            arguments: [origin, next])
        {
            let held = try row.change()
            if let notAfter, held.hlc > notAfter { break }  // still ahead of this node's clock
            try db.execute(sql: "DELETE FROM pending_change WHERE origin = ? AND seq = ?", arguments: [origin, next])
            let before = try head(origin)?.seq
            var inner = report
            try receiveWithoutRelease(held, sender: row.sender, source: source, report: &inner)
            report = inner
            if try head(origin)?.seq == before { break }
            next += 1
        }
    }

    private mutating func receiveWithoutRelease(
        _ change: Change, sender: String?, source: String, report: inout ReceiveReport
    ) throws {
        let tip = try head(change.origin)
        guard change.hashIsValid, change.prev == tip?.hash else {
            try refuseOutsideChain(
                change, reason: "previous hash does not match \(change.origin)'s chain", sender: sender, source: source,
                report: &report)
            return
        }
        try apply(
            change, encoded: (change.fieldsJSON, change.baseJSON), sender: sender, source: source, report: &report)
    }

    /// Stores a change in the log (applied or refused by the write rules) and merges it.
    /// `checked`: a local write whose rules and record were checked as it was made.
    private mutating func apply(
        _ change: Change, encoded: (fieldsJSON: String, baseJSON: String), sender: String?, source: String,
        checked: Bool = false, report: inout ReceiveReport
    ) throws {
        var refusal = checked ? nil : authorization.refusal(of: change)
        if refusal == nil, !checked, let existing = try record(change.recordID),
            existing.type != change.recordType || existing.owner != change.owner
        {
            refusal =
                "record \(change.recordID) is a \(existing.type) of \(existing.owner); the change says \(change.recordType) of \(change.owner)"
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO change_log(origin, seq, hlc, record_type, record_id, owner, actor, fields, base,
                                       prev_hash, hash, status, received_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                change.origin, change.seq, change.hlc.rawValue, change.recordType, change.recordID, change.owner,
                change.actor, encoded.fieldsJSON, encoded.baseJSON, change.prev, change.hash,
                refusal == nil ? "applied" : "refused", now,
            ])
        if (try head(change.origin)?.seq ?? 0) < change.seq {
            heads[change.origin] = .some((seq: change.seq, hash: change.hash))
            dirtyHeads.insert(change.origin)
        }
        clock.observe(change.hlc)
        if let refusal {
            try recordRefusal(change, reason: refusal, sender: sender, source: source)
            report.refused.append(.init(change: change.id, record: change.recordID, reason: refusal))
            return
        }
        try merge(change)
        report.applied += 1
    }

    private mutating func merge(_ change: Change) throws {
        var rec =
            try record(change.recordID)
            ?? StoredRecord(id: change.recordID, type: change.recordType, owner: change.owner, fields: [:])
        for (name, value) in change.fields {
            let before = rec.fields[name]
            let write = FieldWrite(
                value: value, hlc: change.hlc, version: change.version, base: change.base[name] ?? [])
            let db = self.db
            let after = try Merge.apply(write, to: before) { try Self.wasApplied(db, $0) }
            rec.fields[name] = after
            if after.isConflicted {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO open_conflict(record_id, field) VALUES (?, ?)",
                    arguments: [change.recordID, name])
            } else if before?.isConflicted == true {
                try db.execute(
                    sql: "DELETE FROM open_conflict WHERE record_id = ? AND field = ?",
                    arguments: [change.recordID, name])
            }
        }
        records[change.recordID] = .some(rec)
        dirtyRecords.insert(change.recordID)
    }

    static func wasApplied(_ db: Database, _ v: Version) throws -> Bool {
        try Bool.fetchOne(
            db, sql: "SELECT 1 FROM change_log WHERE origin = ? AND seq = ? AND status = 'applied'",
            arguments: [v.origin, v.seq]) ?? false
    }

    private func recordRefusal(_ change: Change, reason: String, sender: String?, source: String) throws {
        try db.execute(
            sql: """
                INSERT INTO refused_change(origin, seq, hash, record_type, record_id, owner, body, reason, sender,
                                           source, refused_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                change.origin, change.seq, change.hash, change.recordType, change.recordID, change.owner,
                change.wireJSON, reason, sender, source, now,
            ])
    }

    mutating func refuse(
        _ change: Change, reason: String, sender: String?, source: String, report: inout ReceiveReport
    ) throws {
        try refuseOutsideChain(change, reason: reason, sender: sender, source: source, report: &report)
    }

    private mutating func refuseOutsideChain(
        _ change: Change, reason: String, sender: String?, source: String, report: inout ReceiveReport
    ) throws {
        try recordRefusal(change, reason: reason, sender: sender, source: source)
        report.refused.append(.init(change: change.id, record: change.recordID, reason: reason))
    }

    /// Changes waiting here (for an earlier change of their origin, or for this node's clock)
    /// whose origin lies in `sender`'s subtree; every waiting change without a sender.
    func heldCount(of sender: String?) throws -> Int {
        let rows = try Row.fetchAll(db, sql: "SELECT origin, COUNT(*) AS n FROM pending_change GROUP BY origin")
        return rows.reduce(0) { total, row in
            let origin: String = row["origin"]
            guard sender.map({ registry.isInSubtree(origin, of: $0) }) ?? true else { return total }
            return total + (row["n"] as Int)
        }
    }

    /// Writes cached chain tips, records and the clock back. Same transaction as the log rows.
    mutating func finish() throws {
        for origin in dirtyHeads {
            guard let tip = heads[origin] ?? nil else { continue }
            try db.execute(
                sql: "INSERT OR REPLACE INTO origin_head(origin, seq, hash) VALUES (?, ?, ?)",
                arguments: [origin, tip.seq, tip.hash])
        }
        // Plans before evidence: evidence reads its plan's area from the table.
        var plans: [String] = []
        var evidence: [StoredRecord] = []
        for id in dirtyRecords {
            guard let rec = records[id] ?? nil else { continue }
            if rec.type == RecordType.evidence.rawValue {
                evidence.append(rec)
            } else if try RecordIndexes.store(
                db, rec, stored: stored[id] ?? nil, subtree: subtree, hasParent: hasParent),
                !createdHere.contains(id) || (stored[id] ?? nil) != nil
            {
                plans.append(rec.id)
            }
        }
        try RecordIndexes.evidenceOf(db, plans: plans)
        for rec in evidence {
            try RecordIndexes.store(db, rec, stored: stored[rec.id] ?? nil, subtree: subtree, hasParent: hasParent)
        }
        try db.execute(
            sql: "UPDATE node_meta SET value = ? WHERE key = 'hlc'", arguments: [String(clock.last.rawValue)])
        dirtyHeads = []
        dirtyRecords = []
        createdHere = []
        for id in records.keys { stored[id] = records[id] }
    }
}
