import Foundation
import GRDB
import ZISyncAuthenticity
import ZISyncCore
import ZISyncProtocol

/// Received changes: the door, duplicates, the hash, who wrote it, the chain, then the write rules
/// (`Authorization`, `RelationRules`), the merge and the refusals kept for audit.
extension ApplySession {
    /// True when this node keeps `origin`'s whole chain (the origin is in its subtree).
    mutating func keepsChain(of origin: String) -> Bool {
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
            let storedHash = try ChangeRow.hash(db, origin: change.origin, seq: change.seq)
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

    /// Stores a change in the log (applied or refused by the write rules) and merges it. A change
    /// refused only because a record it names is not here yet waits for that record instead.
    /// `checked`: a local write whose rules and record were checked as it was made.
    mutating func apply(
        _ change: Change, encoded: (fieldsJSON: String, baseJSON: String), sender: String?, source: String,
        checked: Bool = false, report: inout ReceiveReport
    ) throws {
        let refusal = checked ? nil : try refusal(of: change, arrivedAt: nil)
        try ChangeRow.insert(
            db, change, fieldsJSON: encoded.fieldsJSON, baseJSON: encoded.baseJSON,
            status: refusal == nil ? "applied" : "refused", receivedAt: now)
        if (try head(change.origin)?.seq ?? 0) < change.seq {
            heads[change.origin] = .some((seq: change.seq, hash: change.hash))
            dirtyHeads.insert(change.origin)
        }
        if try mayHavePending(change.origin) {
            // A copy held for this sequence (another version, stamped later) is spent.
            try PendingRow.delete(db, origin: change.origin, seq: change.seq)
        }
        if change.hlc <= saneUntil { clock.observe(change.hlc) }
        if let refusal {
            if let awaits = refusal.awaiting {
                try wait(change, for: awaits, reason: refusal.reason, sender: sender, source: source)
                report.waiting += 1
            } else {
                try recordRefusal(change, reason: refusal.reason, sender: sender, source: source)
                report.refused.append(
                    Refusal(change: change.id, record: change.recordID, reason: refusal.reason).cleaned)
            }
            return
        }
        try merge(change)
        report.applied += 1
        try releaseWaiting(report: &report)
    }

    /// Why a received change may not be applied, in the order the rules are asked; nil when it may.
    /// `arrivedAt`: for a change that waited, its place in the arrival order (only the changes of
    /// its record that arrived before it keep it waiting).
    mutating func refusal(of change: Change, arrivedAt: Int64?) throws -> RelationRules.Refusal? {
        if let reason = authorization.refusal(of: change) { return RelationRules.Refusal(reason) }
        if let existing = try record(change.recordID),
            existing.type != change.recordType || existing.owner != change.owner
        {
            return RelationRules.Refusal(
                "record \(change.recordID) is a \(existing.type) of \(existing.owner); the change says \(change.recordType) of \(change.owner)"
            )
        }
        // A record's required fields: a change that makes it must write them all, and none may
        // empty them. Read off the change alone, so every node decides alike whatever the order.
        if let type = RecordType(rawValue: change.recordType),
            let problem = type.schema.requiredProblem(
                change.fields, creates: type.schema.makesRecord(change.fields, base: change.base), type: type)
        {
            return RelationRules.Refusal(problem)
        }
        // An office's later change of a record whose earlier change waits goes after it, not without it.
        if try mayHaveWaiting(),
            try WaitingRow.waits(db, record: change.recordID, origin: change.origin, arrivedBefore: arrivedAt)
        {
            return RelationRules.Refusal(
                "an earlier change of \(change.recordID) waits for a record it names", awaiting: change.recordID)
        }
        return try RelationRules.check(change) { id in
            try record(id).map(Self.related)
        }
    }

    /// The rules that need the records here (`RelationRules`, in Core), asked of this session's
    /// records as they stand.
    mutating func relationRefusal(_ change: Change) throws -> String? {
        try RelationRules.refusal(of: change) { id in
            try record(id).map(Self.related)
        }
    }

    /// A record as the relation rules see it.
    static func related(_ rec: StoredRecord) -> RelationRules.Related {
        RelationRules.Related(
            type: rec.type, owner: rec.owner, text: rec.string, written: { rec.fields[$0].map { ($0.hlc, $0.origin) } })
    }

    mutating func merge(_ change: Change) throws {
        let found = try record(change.recordID)
        // A record's first change here may be what changes waiting for it wait for; so may every
        // change of a stage's window (steps outside it wait for an extension).
        if found == nil || change.recordType == RecordType.lkeJadwal.rawValue, try mayHaveWaiting() {
            arrivals.append(change.recordID)
        }
        var rec = found ?? StoredRecord(id: change.recordID, type: change.recordType, owner: change.owner, fields: [:])
        for (name, value) in change.fields {
            let before = rec.fields[name]
            let write = FieldWrite(
                value: value, hlc: change.hlc, version: change.version, base: change.base[name] ?? [])
            let db = self.db
            let after = try Merge.apply(write, to: before) { try Self.wasApplied(db, $0) }
            rec.fields[name] = after
            if after.isConflicted {
                try OpenConflictRow.open(db, recordID: change.recordID, field: name)
            } else if before?.isConflicted == true {
                try OpenConflictRow.close(db, recordID: change.recordID, field: name)
            }
        }
        records[change.recordID] = .some(rec)
        dirtyRecords.insert(change.recordID)
    }

    func recordRefusal(_ change: Change, reason: String, sender: String?, source: String) throws {
        // Reasons quote the change (its type, ids, field names): cleaned before anyone shows them.
        let reason = PeerText.clean(reason)
        try RefusedRow.insert(db, change, reason: reason, sender: sender, source: source, at: now)
    }

    mutating func refuse(
        _ change: Change, reason: String, sender: String?, source: String, report: inout ReceiveReport
    ) throws {
        try refuseOutsideChain(change, reason: reason, sender: sender, source: source, report: &report)
    }

    mutating func refuseOutsideChain(
        _ change: Change, reason: String, sender: String?, source: String, report: inout ReceiveReport
    ) throws {
        try recordRefusal(change, reason: reason, sender: sender, source: source)
        report.refused.append(Refusal(change: change.id, record: change.recordID, reason: reason).cleaned)
    }
}
