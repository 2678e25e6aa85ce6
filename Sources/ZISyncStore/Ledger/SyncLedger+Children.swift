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
            try db.execute(
                sql: """
                    INSERT INTO child_seen(satker, last_seen, last_push, pushed, refused) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(satker) DO UPDATE SET last_seen = excluded.last_seen, last_push = excluded.last_push,
                        pushed = pushed + excluded.pushed, refused = refused + excluded.refused
                    """, arguments: [sender, now, now, report.applied, report.refused.count])
            if let refusal = Refusal.summary(report.refused) {
                try db.execute(
                    sql: "UPDATE child_seen SET last_refusal = ?, last_refusal_at = ? WHERE satker = ?",
                    arguments: [refusal, now, sender])
            } else {
                try db.execute(
                    sql: "UPDATE child_seen SET last_clean_push = ? WHERE satker = ?", arguments: [now, sender])
            }
        }
    }

    /// Stores what a child reported of itself.
    public func childReported(_ child: String, report: ChildReport, at now: Int64) throws {
        let text = String(decoding: report.encoded(), as: UTF8.self)
        try db.write { db in
            try db.execute(
                sql: """
                    INSERT INTO child_seen(satker, last_seen, report, reported_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(satker) DO UPDATE SET last_seen = excluded.last_seen, report = excluded.report,
                        reported_at = excluded.reported_at
                    """, arguments: [child, now, text, now])
        }
    }

    public func childPulled(_ child: String, at now: Int64) throws {
        try db.write { db in
            try db.execute(
                sql: """
                    INSERT INTO child_seen(satker, last_seen, last_pull) VALUES (?, ?, ?)
                    ON CONFLICT(satker) DO UPDATE SET last_seen = excluded.last_seen, last_pull = excluded.last_pull
                    """, arguments: [child, now, now])
        }
    }

    public func children() throws -> [ChildSeen] {
        try db.read { db in try ChildSeen.fetchAll(db, sql: "SELECT * FROM child_seen ORDER BY satker") }
    }
}
