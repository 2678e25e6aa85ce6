import Foundation
import GRDB
import ZISyncCore

public struct VerifyReport: Sendable {
    public var changes = 0
    public var origins = 0
    public var records = 0
    /// Problems in the order found; the first names the first bad change.
    public var problems: [String] = []
    public var ok: Bool { problems.isEmpty }
}

extension Audit {
    /// Re-checks every origin's hash chain in the local log, then re-derives every record's
    /// winning values from the log and compares them with the materialized state, so an
    /// edit made to the SQLite file behind zisync's back shows either way.
    public func verify() throws -> VerifyReport {
        var report = VerifyReport()
        let subtree = store.subtree
        var winners: [String: [String: (FieldValue, HLC, String, Int64)]] = [:]
        var lastOrigin: String?
        var lastSeq: Int64 = 0
        var lastHash: String?
        try store.db.read { db in
            let cursor = try ChangeRow.fetchCursor(
                db, sql: "SELECT \(ChangeRow.columns) FROM change_log ORDER BY origin, seq")
            while let row = try cursor.next() {
                report.changes += 1
                let c: Change
                do {
                    c = try row.change()
                } catch {
                    report.problems.append("change \(row.origin):\(row.seq): unreadable fields (\(error))")
                    continue
                }
                if c.origin != lastOrigin {
                    report.origins += 1
                    lastOrigin = c.origin
                    lastSeq = 0
                    lastHash = nil
                }
                let recomputed = c.computedHash(fieldsJSON: row.fieldsJSON, baseJSON: row.baseJSON)
                if recomputed != c.hash {
                    report.problems.append(
                        "change \(c.id) (record \(c.recordID)): content does not match its hash; the row was edited")
                } else if subtree.contains(c.origin) {
                    if c.seq != lastSeq + 1 {
                        report.problems.append("change \(c.id): chain gap, expected sequence \(lastSeq + 1)")
                    } else if c.prev != lastHash {
                        report.problems.append(
                            "change \(c.id): previous hash does not match change \(c.origin):\(lastSeq)")
                    }
                }
                lastSeq = c.seq
                lastHash = c.hash
                guard row.isApplied else { continue }
                var fields = winners[c.recordID] ?? [:]
                for (name, value) in c.fields {
                    if let w = fields[name], !Merge.wins((c.hlc, c.origin), over: (w.1, w.2)) { continue }
                    fields[name] = (value, c.hlc, c.origin, c.seq)
                }
                winners[c.recordID] = fields
            }
            for head in try OriginHeadRow.all(db) {
                let (origin, seq, hash) = (head.origin, head.seq, head.hash)
                let stored = try ChangeRow.hash(db, origin: origin, seq: seq)
                if stored != hash {
                    report.problems.append("chain tip of \(origin) (sequence \(seq)) does not match the log")
                }
            }
            let states = try RecordRow.fetchCursor(db, sql: "SELECT \(RecordRow.columns) FROM record_state")
            while let row = try states.next() {
                report.records += 1
                let rec: StoredRecord
                do {
                    rec = try row.record()
                } catch {
                    report.problems.append("record \(row.recordID): unreadable state (\(error))")
                    continue
                }
                let expected = winners.removeValue(forKey: rec.id) ?? [:]
                if Set(expected.keys) != Set(rec.fields.keys) {
                    report.problems.append("record \(rec.id): its fields differ from those written in the change log")
                    continue
                }
                for (name, w) in expected.sorted(by: { $0.key < $1.key }) {
                    let s = rec.fields[name]!
                    if s.value != w.0 || s.hlc != w.1 || s.origin != w.2 || s.seq != w.3 {
                        report.problems.append(
                            "record \(rec.id) field '\(name)': stored value '\(s.value)' is not the change log's winner '\(w.0)' (\(w.2):\(w.3))"
                        )
                    }
                }
            }
            for id in winners.keys.sorted() {
                report.problems.append("record \(id): written in the change log but missing from the records")
            }
        }
        return report
    }
}
