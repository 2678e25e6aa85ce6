import Foundation
import GRDB
import ZISyncAuthenticity
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
    /// The latest clock this node believes (its physical clock plus the skew limit): a change
    /// stamped later never moves this node's clock, and its own clock beyond it has run ahead.
    private let saneUntil: HLC
    private let physicalNow: @Sendable () -> Int64
    /// This node's subtree and whether it has a parent: what the file queues need to know.
    private let subtree: Set<String>
    private let hasParent: Bool
    /// This node's key: its own changes are signed as they are made.
    private let signer: OriginKey?
    /// The checks of who wrote a received change; nil on a node without the deployment's trust.
    private var authenticity: ChangeAuthenticity?
    /// The batch's changes found authentic by the chain rule (`ChangeAuthenticity.vouch`).
    private var vouchedByChain: [Bool?] = []

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
        var change = Change(
            origin: node, seq: (tip?.seq ?? 0) + 1, hlc: clock.tick(), recordType: type.rawValue, recordID: recordID,
            owner: owner, fields: fields, base: base, actor: actor, prev: tip?.hash)
        if let signer { change = change.signed(signer.sign(hash: change.hash)) }
        if let reason = try authorization.refusal(of: change) ?? relationRefusal(change) {
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
    mutating func receive(
        _ change: Change, sender: String?, source: String, report: inout ReceiveReport, vouched: Bool? = nil
    ) throws {
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
                try replaceRevokedSignature(with: change)
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
        // Who wrote it, before it is held or applied: only its origin's signature counts.
        if authenticity != nil, vouched != true, let reason = try authenticity!.refusal(change, db: db) {
            try refuseOutsideChain(change, reason: reason, sender: sender, source: source, report: &report)
            return
        }
        if !chained, let notAfter, change.hlc > notAfter {
            // From above, stamped beyond this node's clock: it waits here, never moving the clock.
            try hold(change, sender: sender)
            report.held += 1
            report.heldForClock += 1
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

    /// Keeps a change that cannot be applied yet. Another change held for the same sequence is
    /// replaced only by one with an earlier clock: that is how an origin's re-stamped change
    /// (its clock had run ahead) takes the place of the first, and a replay of the first cannot
    /// undo it.
    private mutating func hold(_ change: Change, sender: String?) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO pending_change(origin, seq, body, sender, received_at, hlc)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(origin, seq) DO UPDATE SET body = excluded.body, sender = excluded.sender,
                    received_at = excluded.received_at, hlc = excluded.hlc
                WHERE excluded.hlc < COALESCE(pending_change.hlc, 9223372036854775807)
                """
        ).execute(arguments: [change.origin, change.seq, change.wireJSON, sender, now, change.hlc.rawValue])
        pendingOrigins?.insert(change.origin)
    }

    private mutating func mayHavePending(_ origin: String) throws -> Bool {
        if pendingOrigins == nil {
            pendingOrigins = Set(try String.fetchAll(db, sql: "SELECT DISTINCT origin FROM pending_change"))
        }
        return pendingOrigins!.contains(origin)
    }

    /// Applies the changes from above held for their clock whose time has come.
    mutating func releaseDueFromAbove(source: String, report: inout ReceiveReport) throws {
        guard let notAfter else { return }
        let rows = try PendingRow.fetchAll(
            db,
            sql: """
                SELECT origin, seq, body, sender FROM pending_change
                WHERE sender IS NULL AND (hlc IS NULL OR hlc <= ?) ORDER BY hlc
                """, arguments: [notAfter.rawValue])
        for row in rows where !keepsChain(of: row.origin) {
            guard let held = try? row.change(), held.hlc <= notAfter else { continue }
            try db.execute(
                sql: "DELETE FROM pending_change WHERE origin = ? AND seq = ?", arguments: [row.origin, row.seq])
            try receive(held, sender: nil, source: source, report: &report)
        }
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
        if refusal == nil, !checked { refusal = try relationRefusal(change) }
        try db.cachedStatement(
            sql: """
                INSERT INTO change_log(origin, seq, hlc, record_type, record_id, owner, actor, fields, base,
                                       prev_hash, hash, status, received_at, key_id, signature)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                change.origin, change.seq, change.hlc.rawValue, change.recordType, change.recordID, change.owner,
                change.actor, encoded.fieldsJSON, encoded.baseJSON, change.prev, change.hash,
                refusal == nil ? "applied" : "refused", now, change.signature?.keyID, change.signature?.value,
            ])
        if (try head(change.origin)?.seq ?? 0) < change.seq {
            heads[change.origin] = .some((seq: change.seq, hash: change.hash))
            dirtyHeads.insert(change.origin)
        }
        if try mayHavePending(change.origin) {
            // A copy held for this sequence (another version, stamped later) is spent.
            try db.cachedStatement(sql: "DELETE FROM pending_change WHERE origin = ? AND seq = ?").execute(
                arguments: [change.origin, change.seq])
        }
        if change.hlc <= saneUntil { clock.observe(change.hlc) }
        if let refusal {
            try recordRefusal(change, reason: refusal, sender: sender, source: source)
            report.refused.append(Refusal(change: change.id, record: change.recordID, reason: refusal).cleaned)
            return
        }
        try merge(change)
        report.applied += 1
    }

    // MARK: A signature made with a revoked key

    /// The same change again, signed anew by its origin after the key that first signed it was
    /// revoked: the new signature takes the place of the old one, so the change can travel on.
    private mutating func replaceRevokedSignature(with change: Change) throws {
        guard authenticity != nil, let new = change.signature,
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT key_id, signature FROM change_log WHERE origin = ? AND seq = ?"),
                arguments: [change.origin, change.seq]),
            (row["key_id"] as String?) != new.keyID
        else { return }
        let old: String? = row["key_id"]
        let oldCertificate = try old.flatMap { try authenticity!.certificate($0, db: db) }
        let oldStands =
            try oldCertificate.map {
                try authenticity!.refusal(
                    change.signed(ChangeSignature(keyID: $0.keyID, value: row["signature"] ?? "")), db: db)
                    == nil
            } ?? false
        guard !oldStands, try authenticity!.refusal(change, db: db) == nil else { return }
        try db.execute(
            sql: "UPDATE change_log SET key_id = ?, signature = ? WHERE origin = ? AND seq = ?",
            arguments: [new.keyID, new.value, change.origin, change.seq])
    }

    /// Signs again, with this node's current key, its own changes signed with a key revoked
    /// before they were made (written between a theft's revocation and the new certificate), and
    /// those stored unsigned (before this version), so that its parent takes them; returns the
    /// first such sequence.
    mutating func resignRevoked() throws -> Int64? {
        guard let signer, let authenticity else { return nil }
        var first: Int64?
        var checks = authenticity
        // Only rows without a signature or signed by a revoked key of this office: after a rotation
        // the old key's changes stand, and are not read again at every round.
        var revoked: [String] = []
        for row in try Row.fetchAll(
            db, sql: "SELECT key_id, serial FROM origin_certificate WHERE satker = ?", arguments: [node])
        where checks.revocations.entry(satker: node, serial: row["serial"]) != nil {
            revoked.append(row["key_id"])
        }
        let rows = try ChangeRow.fetchAll(
            db,
            sql: """
                SELECT \(ChangeRow.columns) FROM change_log WHERE origin = ?
                AND (key_id IS NULL OR key_id IN (\(databaseQuestionMarks(count: revoked.count))))
                ORDER BY seq
                """, arguments: StatementArguments([node] + revoked))
        for row in rows {
            let change = try row.change()
            if let key = change.signature?.keyID {
                guard let cert = try checks.certificate(key, db: db),
                    checks.revokedRefusal(change, certificate: cert) != nil
                else { continue }
            }
            let signature = signer.sign(hash: change.hash)
            try db.execute(
                sql: "UPDATE change_log SET key_id = ?, signature = ? WHERE origin = ? AND seq = ?",
                arguments: [signature.keyID, signature.value, node, change.seq])
            first = min(first ?? change.seq, change.seq)
        }
        return first
    }

    // MARK: A chain the parent holds differently

    /// Sets aside this node's own changes from the first sequence at which `changes` (the
    /// parent's) hold another one, so that the parent's chain can be applied in their place.
    /// Only a change this node's origin signed counts: a parent cannot make an office renumber its
    /// chain by sending a change it made up (that change is refused after this, as any other).
    mutating func setAsideForks(of origin: String, against changes: [Change]) throws {
        var from: Int64?
        for (i, c) in changes.enumerated() where c.origin == origin && c.seq < (from ?? .max) {
            guard
                let mine = try String.fetchOne(
                    db.cachedStatement(sql: "SELECT hash FROM change_log WHERE origin = ? AND seq = ?"),
                    arguments: [origin, c.seq]), mine != c.hash, c.hashIsValid
            else { continue }
            if authenticity != nil, vouched(i) != true, try authenticity!.refusal(c, db: db) != nil { continue }
            from = c.seq
        }
        if let from { try setAside(origin: origin, from: from) }
    }

    /// Moves `origin`'s changes from `seq` on to `forked_change`, takes its tip back to the one
    /// before, and merges the records they wrote again from what stays.
    mutating func setAside(origin: String, from seq: Int64) throws {
        let rows = try ChangeRow.fetchAll(
            db, sql: "SELECT \(ChangeRow.columns) FROM change_log WHERE origin = ? AND seq >= ? ORDER BY seq",
            arguments: [origin, seq])
        guard !rows.isEmpty else { return }
        for row in rows {
            try db.execute(
                sql: "INSERT OR REPLACE INTO forked_change(origin, seq, body, set_aside_at) VALUES (?, ?, ?, ?)",
                arguments: [origin, row.seq, row.wire, now])
        }
        try db.execute(sql: "DELETE FROM change_log WHERE origin = ? AND seq >= ?", arguments: [origin, seq])
        if let prev = try String.fetchOne(
            db, sql: "SELECT hash FROM change_log WHERE origin = ? AND seq = ?", arguments: [origin, seq - 1])
        {
            heads[origin] = .some((seq: seq - 1, hash: prev))
            dirtyHeads.insert(origin)
        } else {
            try db.execute(sql: "DELETE FROM origin_head WHERE origin = ?", arguments: [origin])
            heads[origin] = .some(nil)
            dirtyHeads.remove(origin)
        }
        for id in Set(rows.map(\.recordID)) {
            _ = try record(id)  // as stored, for the indexes
            records[id] = .some(nil)
            try db.execute(sql: "DELETE FROM open_conflict WHERE record_id = ?", arguments: [id])
            let kept = try ChangeRow.fetchAll(
                db,
                sql:
                    "SELECT \(ChangeRow.columns) FROM change_log WHERE record_id = ? AND status = 'applied' ORDER BY local_seq",
                arguments: [id])
            for row in kept { try merge(try row.change()) }
            dirtyRecords.insert(id)
        }
    }

    // MARK: A clock that ran ahead

    /// When this node's clock has run beyond its physical clock plus the limit (a clock set
    /// wrong, then corrected, or an NTP glitch), re-stamps its own changes that its parent has
    /// not accepted, from the first one stamped beyond the limit to its tip: same sequences, same
    /// content, fresh clocks, a new hash chain. No one else holds those changes as applied (a
    /// parent holds them waiting, as does a child that pulled them; both take the re-stamped
    /// ones in their place), so the chain rules hold. Then the clock goes back to the physical
    /// clock. Returns how many changes were re-stamped.
    @discardableResult
    mutating func repairClockIfAhead() throws -> Int {
        guard clock.last > saneUntil else { return 0 }
        let acked =
            try Int64.fetchOne(db, sql: "SELECT seq FROM parent_ack WHERE origin = ?", arguments: [node]) ?? 0
        let first = try Int64.fetchOne(
            db, sql: "SELECT MIN(seq) FROM change_log WHERE origin = ? AND seq > ? AND hlc > ?",
            arguments: [node, acked, saneUntil.rawValue])
        // Start above every clock this node believes, so that re-stamped writes still come after
        // what they were written over.
        let believed =
            try Int64.fetchOne(
                db, sql: "SELECT MAX(hlc) FROM change_log WHERE hlc <= ?", arguments: [saneUntil.rawValue]) ?? 0
        clock = HybridClock(last: HLC(rawValue: believed), physicalNow: physicalNow)
        guard let first else { return 0 }
        let rows = try ChangeRow.fetchAll(
            db, sql: "SELECT \(ChangeRow.columns) FROM change_log WHERE origin = ? AND seq >= ? ORDER BY seq",
            arguments: [node, first])
        var prev = try String.fetchOne(
            db, sql: "SELECT hash FROM change_log WHERE origin = ? AND seq = ?", arguments: [node, first - 1])
        for row in rows {
            let old = try row.change()
            let new = Change(
                origin: old.origin, seq: old.seq, hlc: clock.tick(), recordType: old.recordType,
                recordID: old.recordID, owner: old.owner, fields: old.fields, base: old.base, actor: old.actor,
                prev: prev)
            // A new arrival number too: children that pulled the first version pull this one.
            let signature = signer?.sign(hash: new.hash)
            try db.execute(
                sql: """
                    UPDATE change_log SET hlc = ?, prev_hash = ?, hash = ?, received_at = ?, key_id = ?, signature = ?,
                        local_seq = (SELECT MAX(local_seq) + 1 FROM change_log)
                    WHERE origin = ? AND seq = ?
                    """,
                arguments: [
                    new.hlc.rawValue, new.prev, new.hash, now, signature?.keyID, signature?.value, node, new.seq,
                ])
            if var rec = try record(new.recordID) {
                for name in new.fields.keys where rec.fields[name]?.version == new.version {
                    rec.fields[name]?.hlc = new.hlc
                }
                records[new.recordID] = .some(rec)
                dirtyRecords.insert(new.recordID)
            }
            prev = new.hash
        }
        if let last = rows.last {
            heads[node] = .some((seq: last.seq, hash: prev ?? ""))
            dirtyHeads.insert(node)
        }
        return rows.count
    }

    /// The rules that need the records here (docs/security.md): a review names a subject that
    /// is here, of the stated type and owned by the review's owner, and its reviewer_satker is
    /// the office writing it; evidence links only to a plan of its own owner, here.
    mutating func relationRefusal(_ change: Change) throws -> String? {
        switch RecordType(rawValue: change.recordType) {
        case .review:
            let existing = try record(change.recordID)
            if let written = change.fields["reviewer_satker"] {
                guard written.stringValue == change.origin else {
                    return
                        "a review's reviewer_satker must be the office writing it (\(change.origin)), not '\(written)'"
                }
            } else if existing == nil {
                return "a new review must name its reviewer_satker (\(change.origin))"
            }
            guard change.fields["subject"] != nil || change.fields["subject_type"] != nil || existing == nil else {
                return nil
            }
            guard let subjectID = change.fields["subject"]?.stringValue ?? existing?.string("subject"),
                let subjectType = change.fields["subject_type"]?.stringValue ?? existing?.string("subject_type")
            else { return "a review must name its subject and subject_type" }
            guard let subject = try record(subjectID) else {
                return "the review's subject \(subjectID) is not here"
            }
            guard subject.type == subjectType else {
                return "the review's subject \(subjectID) is a \(subject.type), not a \(subjectType)"
            }
            guard subject.owner == change.owner else {
                return "the review is owned by \(change.owner) but its subject \(subjectID) belongs to \(subject.owner)"
            }
            return nil
        case .evidence:
            guard let plan = change.fields["plan"], !plan.isNull else { return nil }
            guard let planID = plan.stringValue, let target = try record(planID) else {
                return "the evidence's plan \(plan) is not here"
            }
            guard target.type == RecordType.actionPlan.rawValue else {
                return "the evidence's plan \(planID) is a \(target.type), not an action_plan"
            }
            guard target.owner == change.owner else {
                return "the evidence is owned by \(change.owner) but its plan \(planID) belongs to \(target.owner)"
            }
            return nil
        case .lkeAnswer:
            // An answer's bukti dukung are evidence of the satker it answers for, here.
            for id in Validation.lkeCodes(change.fields["evidence"]?.stringValue ?? "") {
                guard let target = try record(id), target.type == RecordType.evidence.rawValue else {
                    return "the answer's bukti dukung \(id) is not evidence here"
                }
                guard target.owner == change.owner else {
                    return "the answer's bukti dukung \(id) belongs to \(target.owner), not to \(change.owner)"
                }
            }
            return nil
        default:
            return nil
        }
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
        // Reasons quote the change (its type, ids, field names): cleaned before anyone shows them.
        let reason = PeerText.clean(reason)
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
        report.refused.append(Refusal(change: change.id, record: change.recordID, reason: reason).cleaned)
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
            guard let rec = records[id] ?? nil else {
                // Written only by changes set aside: gone until they are written again.
                if (stored[id] ?? nil) != nil {
                    try db.execute(sql: "DELETE FROM record_state WHERE record_id = ?", arguments: [id])
                }
                continue
            }
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
