import Foundation
import GRDB
import ZISyncCore
import ZISyncProtocol

extension SyncLedger {
    // MARK: - Children (on a parent)

    /// Applies a child's push (or a bundle from below) and records when it was seen, in one
    /// transaction. `maxClockAhead`: how far (ms) a change's clock may run ahead of this node's;
    /// later ones wait.
    public func receiveFromBelow(
        _ changes: [Change], sender: String, source: String, at now: Int64, maxClockAhead: Int64,
        recordChild: Bool, certificates: [[UInt8]] = []
    ) throws -> ReceiveReport {
        let notAfter = HLC(milliseconds: now + maxClockAhead, counter: 0xFFFF)
        return try store.receive(
            changes, sender: sender, source: source, certificates: certificates, scope: nil, notAfter: notAfter
        ) {
            db, report in
            guard recordChild else { return }
            try ChildSeen.pushed(
                db, satker: sender, at: now, applied: report.applied, refused: report.refused.count)
            if let refusal = Refusal.summary(report.refused) {
                try ChildSeen.refusedPush(db, satker: sender, refusal: refusal, at: now)
            } else {
                try ChildSeen.cleanPush(db, satker: sender, at: now)
            }
        }
    }

    /// Stores what a child reported of itself.
    public func childReported(_ child: String, report: ChildReport, at now: Int64) throws {
        let text = String(decoding: report.encoded(), as: UTF8.self)
        try db.write { db in
            try ChildSeen.reported(db, satker: child, report: text, at: now)
        }
    }

    public func childPulled(_ child: String, at now: Int64) throws {
        try db.write { db in
            try ChildSeen.pulled(db, satker: child, at: now)
        }
    }

    public func children() throws -> [ChildSeen] {
        try db.read { db in try ChildSeen.all(db) }
    }
}
