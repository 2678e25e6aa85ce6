import Foundation
import GRDB
import ZISyncAuthenticity
import ZISyncCore
import ZISyncProtocol

/// The pending queue: changes that arrived ahead of a gap in their origin's chain or ahead of this
/// node's clock wait in `pending_change` and are released when their turn and time come.
extension ApplySession {
    /// Keeps a change that cannot be applied yet. Another change held for the same sequence is
    /// replaced only by one with an earlier clock: that is how an origin's re-stamped change
    /// (its clock had run ahead) takes the place of the first, and a replay of the first cannot
    /// undo it.
    mutating func hold(_ change: Change, sender: String?) throws {
        try PendingRow.hold(
            db, origin: change.origin, seq: change.seq, body: change.wireJSON, sender: sender, at: now,
            hlc: change.hlc.rawValue)
        pendingOrigins?.insert(change.origin)
    }

    mutating func mayHavePending(_ origin: String) throws -> Bool {
        if pendingOrigins == nil { pendingOrigins = Set(try PendingRow.origins(db)) }
        return pendingOrigins!.contains(origin)
    }

    /// Applies the changes from above held for their clock whose time has come.
    mutating func releaseDueFromAbove(source: String, report: inout ReceiveReport) throws {
        guard let notAfter else { return }
        for row in try PendingRow.fromAbove(db, notAfter: notAfter.rawValue) where !keepsChain(of: row.origin) {
            guard let held = try? row.change(), held.hlc <= notAfter else { continue }
            try PendingRow.delete(db, origin: row.origin, seq: row.seq)
            try receive(held, sender: nil, source: source, report: &report)
        }
    }

    /// Applies held changes of origins in `sender`'s subtree whose turn and time have come, in the
    /// order the outbox sent them (deepest office first): a province's review held beside the
    /// kab/kota's plan it reviews goes after the plan, not before it to be refused.
    mutating func releaseDue(in sender: String, source: String, report: inout ReceiveReport) throws {
        let origins = try PendingRow.origins(db).filter { registry.isInSubtree($0, of: sender) }
            .sorted { registry.travelsBefore($0, $1) }
        for origin in origins {
            try releasePending(origin: origin, after: try head(origin)?.seq ?? 0, source: source, report: &report)
        }
    }

    /// Applies the held successors of `change` whose turn has come.
    mutating func releasePending(after change: Change, source: String, report: inout ReceiveReport) throws {
        try releasePending(origin: change.origin, after: change.seq, source: source, report: &report)
    }

    mutating func releasePending(
        origin: String, after seq: Int64, source: String, report: inout ReceiveReport
    ) throws {
        if pendingOrigins == nil { pendingOrigins = Set(try PendingRow.origins(db)) }
        guard pendingOrigins!.contains(origin) else { return }
        var next = seq + 1
        while let row = try PendingRow.find(db, origin: origin, seq: next) {
            let held = try row.change()
            if let notAfter, held.hlc > notAfter { break }  // still ahead of this node's clock
            try PendingRow.delete(db, origin: origin, seq: next)
            let before = try head(origin)?.seq
            var inner = report
            try receiveWithoutRelease(held, sender: row.sender, source: source, report: &inner)
            report = inner
            if try head(origin)?.seq == before { break }
            next += 1
        }
    }

    mutating func receiveWithoutRelease(
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

    /// Changes waiting here (for an earlier change of their origin, or for this node's clock)
    /// whose origin lies in `sender`'s subtree; every waiting change without a sender.
    func heldCount(of sender: String?) throws -> Int {
        try PendingRow.countsByOrigin(db).reduce(0) { total, row in
            guard sender.map({ registry.isInSubtree(row.origin, of: $0) }) ?? true else { return total }
            return total + row.count
        }
    }
}
