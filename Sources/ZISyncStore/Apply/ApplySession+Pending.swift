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

    mutating func mayHavePending(_ origin: String) throws -> Bool {
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
    mutating func releasePending(after change: Change, source: String, report: inout ReceiveReport) throws {
        try releasePending(origin: change.origin, after: change.seq, source: source, report: &report)
    }

    mutating func releasePending(
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
        let rows = try Row.fetchAll(db, sql: "SELECT origin, COUNT(*) AS n FROM pending_change GROUP BY origin")
        return rows.reduce(0) { total, row in
            let origin: String = row["origin"]
            guard sender.map({ registry.isInSubtree(origin, of: $0) }) ?? true else { return total }
            return total + (row["n"] as Int)
        }
    }
}
