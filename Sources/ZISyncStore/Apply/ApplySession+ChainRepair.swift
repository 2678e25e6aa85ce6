import Foundation
import GRDB
import ZISyncAuthenticity
import ZISyncCore
import ZISyncProtocol

/// Chain repair: a signature made with a revoked key, a chain the parent holds differently (set
/// aside, written again on top), and a clock that ran ahead (re-stamped).
extension ApplySession {
    /// The same change again, signed anew by its origin after the key that first signed it was
    /// revoked: the new signature takes the place of the old one, so the change can travel on.
    mutating func replaceRevokedSignature(with change: Change) throws {
        guard authenticity != nil, let new = change.signature,
            let row = try ChangeRow.signature(db, origin: change.origin, seq: change.seq),
            row.keyID != new.keyID
        else { return }
        let old = row.keyID
        let oldCertificate = try old.flatMap { try authenticity!.certificate($0, db: db) }
        let oldStands =
            try oldCertificate.map {
                try authenticity!.refusal(
                    change.signed(ChangeSignature(keyID: $0.keyID, value: row.value ?? "")), db: db)
                    == nil
            } ?? false
        guard !oldStands, try authenticity!.refusal(change, db: db) == nil else { return }
        try ChangeRow.setSignature(db, origin: change.origin, seq: change.seq, keyID: new.keyID, value: new.value)
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
        for row in try OriginCertificateRow.of(db, satker: node)
        where checks.revocations.entry(satker: node, serial: row.serial) != nil {
            revoked.append(row.keyID)
        }
        for row in try ChangeRow.unsigned(db, origin: node, orSignedWith: revoked) {
            let change = try row.change()
            if let key = change.signature?.keyID {
                guard let cert = try checks.certificate(key, db: db),
                    checks.revokedRefusal(change, certificate: cert) != nil
                else { continue }
            }
            let signature = signer.sign(hash: change.hash)
            try ChangeRow.setSignature(
                db, origin: node, seq: change.seq, keyID: signature.keyID, value: signature.value)
            first = min(first ?? change.seq, change.seq)
        }
        return first
    }

    /// Sets aside this node's own changes from the first sequence at which `changes` (the
    /// parent's) hold another one, so that the parent's chain can be applied in their place.
    /// Only a change this node's origin signed counts: a parent cannot make an office renumber its
    /// chain by sending a change it made up (that change is refused after this, as any other).
    mutating func setAsideForks(of origin: String, against changes: [Change]) throws {
        var from: Int64?
        for (i, c) in changes.enumerated() where c.origin == origin && c.seq < (from ?? .max) {
            guard
                let mine = try ChangeRow.hash(db, origin: origin, seq: c.seq), mine != c.hash, c.hashIsValid
            else { continue }
            if authenticity != nil, vouched(i) != true, try authenticity!.refusal(c, db: db) != nil { continue }
            from = c.seq
        }
        if let from { try setAside(origin: origin, from: from) }
    }

    /// Moves `origin`'s changes from `seq` on to `forked_change`, takes its tip back to the one
    /// before, and merges the records they wrote again from what stays.
    mutating func setAside(origin: String, from seq: Int64) throws {
        let rows = try ChangeRow.chain(db, origin: origin, from: seq)
        guard !rows.isEmpty else { return }
        for row in rows {
            try ForkedChangeRow.setAside(db, origin: origin, seq: row.seq, body: row.wire, at: now)
        }
        try ChangeRow.deleteChain(db, origin: origin, from: seq)
        try WaitingRow.deleteChain(db, origin: origin, from: seq)
        if let prev = try ChangeRow.hash(db, origin: origin, seq: seq - 1) {
            heads[origin] = .some((seq: seq - 1, hash: prev))
            dirtyHeads.insert(origin)
        } else {
            try OriginHeadRow.delete(db, origin: origin)
            heads[origin] = .some(nil)
            dirtyHeads.remove(origin)
        }
        for id in Set(rows.map(\.recordID)) {
            _ = try record(id)  // as stored, for the indexes
            records[id] = .some(nil)
            try OpenConflictRow.closeAll(db, recordID: id)
            for row in try ChangeRow.applied(db, toRecord: id) { try merge(try row.change()) }
            dirtyRecords.insert(id)
        }
    }

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
        let acked = try ParentAckRow.seq(db, origin: node) ?? 0
        let first = try ChangeRow.firstStamped(db, origin: node, after: acked, laterThan: saneUntil.rawValue)
        // Start above every clock this node believes, so that re-stamped writes still come after
        // what they were written over.
        let believed = try ChangeRow.latestClock(db, notAfter: saneUntil.rawValue) ?? 0
        clock = HybridClock(last: HLC(rawValue: believed), physicalNow: physicalNow)
        guard let first else { return 0 }
        let rows = try ChangeRow.chain(db, origin: node, from: first)
        var prev = try ChangeRow.hash(db, origin: node, seq: first - 1)
        for row in rows {
            let old = try row.change()
            let new = Change(
                origin: old.origin, seq: old.seq, hlc: clock.tick(), recordType: old.recordType,
                recordID: old.recordID, owner: old.owner, fields: old.fields, base: old.base, actor: old.actor,
                prev: prev)
            // A new arrival number too: children that pulled the first version pull this one.
            try ChangeRow.restamp(db, new, receivedAt: now, signature: signer?.sign(hash: new.hash))
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
}
