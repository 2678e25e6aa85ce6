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

/// Each record's winning values by field, as the change log has them: value, clock, origin
/// and sequence of the change that set it.
private typealias Winners = [String: [String: (FieldValue, HLC, String, Int64)]]

extension Audit {
    /// Re-checks every origin's hash chain in the local log, then re-derives every record's
    /// winning values from the log and compares them with the materialized state, and each
    /// office's kept digest with one recomputed from its records, so an edit made to the SQLite
    /// file behind zisync's back shows whichever table it touched.
    public func verify() throws -> VerifyReport {
        var report = VerifyReport()
        let subtree = store.subtree
        try store.db.read { db in
            var winners = try Self.verifyChanges(db, subtree: subtree, report: &report)
            try Self.verifyTips(db, report: &report)
            let sums = try Self.verifyRecords(db, winners: &winners, report: &report)
            try Self.verifyKeptDigests(db, recomputed: sums, report: &report)
        }
        return report
    }

    /// Walks the log in chain order: counts changes and origins, checks each change against its
    /// hash and its chain, and returns each record's winning values among the applied changes.
    private static func verifyChanges(
        _ db: Database, subtree: Set<String>, report: inout VerifyReport
    ) throws -> Winners {
        var winners: Winners = [:]
        var lastOrigin: String?
        var lastSeq: Int64 = 0
        var lastHash: String?
        let cursor = try ChangeRow.inChainOrder(db)
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
            if let problem = chainProblem(c, row: row, subtree: subtree, lastSeq: lastSeq, lastHash: lastHash) {
                report.problems.append(problem)
            }
            lastSeq = c.seq
            lastHash = c.hash
            guard row.isApplied else { continue }
            addWinning(c, to: &winners)
        }
        return winners
    }

    /// What is wrong with one change: content that does not match its hash, or (for an origin
    /// in this node's subtree) a gap or a broken link after the change before it.
    private static func chainProblem(
        _ c: Change, row: ChangeRow, subtree: Set<String>, lastSeq: Int64, lastHash: String?
    ) -> String? {
        let recomputed = c.computedHash(fieldsJSON: row.fieldsJSON, baseJSON: row.baseJSON)
        if recomputed != c.hash {
            return "change \(c.id) (record \(c.recordID)): content does not match its hash; the row was edited"
        } else if subtree.contains(c.origin) {
            if c.seq != lastSeq + 1 {
                return "change \(c.id): chain gap, expected sequence \(lastSeq + 1)"
            } else if c.prev != lastHash {
                return "change \(c.id): previous hash does not match change \(c.origin):\(lastSeq)"
            }
        }
        return nil
    }

    /// Merges an applied change's fields into the winners, by the merge rule.
    private static func addWinning(_ c: Change, to winners: inout Winners) {
        var fields = winners[c.recordID] ?? [:]
        for (name, value) in c.fields {
            if let w = fields[name], !Merge.wins((c.hlc, c.origin), over: (w.1, w.2)) { continue }
            fields[name] = (value, c.hlc, c.origin, c.seq)
        }
        winners[c.recordID] = fields
    }

    /// Each origin's recorded chain tip must be a change in the log with that hash.
    private static func verifyTips(_ db: Database, report: inout VerifyReport) throws {
        for head in try OriginHeadRow.all(db) {
            let (origin, seq, hash) = (head.origin, head.seq, head.hash)
            let stored = try ChangeRow.hash(db, origin: origin, seq: seq)
            if stored != hash {
                report.problems.append("chain tip of \(origin) (sequence \(seq)) does not match the log")
            }
        }
    }

    /// Every materialized record against the log's winners (taken out of `winners` as they are
    /// compared), then the winners no record holds. Returns each owner's digest recomputed.
    private static func verifyRecords(
        _ db: Database, winners: inout Winners, report: inout VerifyReport
    ) throws -> [String: (records: Int, sum: DigestSum)] {
        var sums = OwnerDigestDeltas()
        let states = try RecordRow.all(db)
        while let row = try states.next() {
            report.records += 1
            let rec: StoredRecord
            do {
                rec = try row.record()
            } catch {
                report.problems.append("record \(row.recordID): unreadable state (\(error))")
                continue
            }
            sums.added(rec)
            let expected = winners.removeValue(forKey: rec.id) ?? [:]
            report.problems += recordProblems(rec, expected: expected)
        }
        for id in winners.keys.sorted() {
            report.problems.append("record \(id): written in the change log but missing from the records")
        }
        return sums.byOwner
    }

    /// Each office's kept digest against the one recomputed from its records.
    private static func verifyKeptDigests(
        _ db: Database, recomputed: [String: (records: Int, sum: DigestSum)], report: inout VerifyReport
    ) throws {
        var recomputed = recomputed.filter { $0.value.records != 0 }
        for kept in try OwnerDigestRow.all(db) {
            let fresh = recomputed.removeValue(forKey: kept.owner) ?? (0, .zero)
            if fresh.records != kept.records || fresh.sum != kept.sum {
                report.problems.append(
                    "kept digest of \(kept.owner): \(kept.records) record(s), sum \(kept.sum.hex.prefix(16))…, but its records give \(fresh.records), \(fresh.sum.hex.prefix(16))…"
                )
            }
        }
        for (owner, fresh) in recomputed.sorted(by: { $0.key < $1.key }) {
            report.problems.append(
                "kept digest of \(owner): missing, but its records give \(fresh.records) record(s)")
        }
    }

    /// How one stored record differs from its winners in the log: other fields, or a field
    /// whose value, clock or writer is not the winner's.
    private static func recordProblems(
        _ rec: StoredRecord, expected: [String: (FieldValue, HLC, String, Int64)]
    ) -> [String] {
        if Set(expected.keys) != Set(rec.fields.keys) {
            return ["record \(rec.id): its fields differ from those written in the change log"]
        }
        var problems: [String] = []
        for (name, w) in expected.sorted(by: { $0.key < $1.key }) {
            let s = rec.fields[name]!
            if s.value != w.0 || s.hlc != w.1 || s.origin != w.2 || s.seq != w.3 {
                problems.append(
                    "record \(rec.id) field '\(name)': stored value '\(s.value)' is not the change log's winner '\(w.0)' (\(w.2):\(w.3))"
                )
            }
        }
        return problems
    }
}
