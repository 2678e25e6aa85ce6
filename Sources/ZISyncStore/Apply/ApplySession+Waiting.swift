import Foundation
import GRDB
import ZISyncCore
import ZISyncProtocol

/// Changes that wait for a record they name: the order changes arrive in is not their content, so a
/// review that came before its subject, or evidence before its plan, is kept in its origin's chain
/// (not applied, not served as applied) and checked again when that record arrives; only then is it
/// applied or refused for good. The chain goes on past it, so one missing record never blocks an
/// origin.
extension ApplySession {
    mutating func mayHaveWaiting() throws -> Bool {
        if hasWaiting == nil { hasWaiting = try WaitingRow.any(db) }
        return hasWaiting!
    }

    mutating func wait(_ change: Change, for awaits: String, reason: String, sender: String?, source: String) throws {
        try WaitingRow.insert(
            db, change, awaits: awaits, reason: PeerText.clean(reason), sender: sender, source: source, at: now)
        hasWaiting = true
    }

    /// Checks again the changes waiting for the records this session stored first, and for what
    /// those stored in turn. Their refusals are kept for audit and in `status`, not told to the
    /// sender of this batch: they are another sender's trouble.
    mutating func releaseWaiting(report: inout ReceiveReport) throws {
        guard !releasingWaiting else { return }
        releasingWaiting = true
        defer { releasingWaiting = false }
        while !arrivals.isEmpty {
            let id = arrivals.removeFirst()
            for row in try WaitingRow.take(db, awaiting: id) {
                guard let stored = try ChangeRow.find(db, origin: row.origin, seq: row.seq), !stored.isApplied else {
                    continue
                }
                let change = try stored.change()
                guard let refusal = try refusal(of: change, arrivedAt: stored.localSeq) else {
                    try ChangeRow.applyAfterWaiting(db, origin: change.origin, seq: change.seq)
                    try merge(change)
                    report.released += 1
                    continue
                }
                if let awaits = refusal.awaiting {
                    try wait(change, for: awaits, reason: refusal.reason, sender: row.sender, source: row.source)
                } else {
                    try recordRefusal(change, reason: refusal.reason, sender: row.sender, source: row.source)
                    // Later changes of its record waited behind it: their turn, to be judged alone.
                    arrivals.append(change.recordID)
                }
            }
        }
    }
}
