import Foundation
import GRDB
import Testing
import ZISyncCore
import ZISyncTestSupport

@testable import ZISyncStore

/// Each office's digest is kept as its records change (owner_digest), so `digest` reads one row
/// per office; `verify` recomputes it from the records.
@Suite struct KeptDigestTests {
    /// A kab/kota with plans created, edited and deleted, evidence and a review from above.
    func busyOffice() throws -> (kab: Store, prov: Store) {
        let kab = try TestNodes.make("32.17")
        var plans: [String] = []
        for i in 0..<30 {
            let id = Validation.newRecordID()
            plans.append(id)
            try kab.write(
                type: .actionPlan, recordID: id, owner: "32.17",
                fields: ["area": .string("sdm"), "activity": .string("rencana \(i)")], actor: "t")
        }
        for id in plans.prefix(10) {
            try kab.write(
                type: .actionPlan, recordID: id, owner: "32.17", fields: ["status": .string("berjalan")], actor: "t")
        }
        for id in plans.suffix(5) { try Plans(kab).delete(id, actor: "t") }
        let prov = try TestNodes.make("32")
        let r = try prov.receive(try kab.outboxChanges(), sender: "32.17", source: "test")
        #expect(r.refused.isEmpty)
        return (kab, prov)
    }

    @Test func theKeptDigestFollowsEveryWriteAndMatchesARecount() throws {
        let (kab, prov) = try busyOffice()
        defer { TestNodes.remove(kab); TestNodes.remove(prov) }
        for store in [kab, prov] {
            let kept = try store.db.read { db in try OwnerDigestRow.all(db) }
            let recount = try store.db.read { db in try OwnerDigestDeltas.recomputed(db) }
            #expect(kept.count == recount.filter { $0.value.records > 0 }.count)
            for row in kept {
                #expect(recount[row.owner]?.records == row.records, "\(row.owner)")
                #expect(recount[row.owner]?.sum == row.sum, "\(row.owner)")
            }
            #expect(try store.audit.verify().ok)
        }
        let (digest, count) = try prov.audit.digest(of: "32.17")
        #expect(count == 30)
        #expect(try kab.audit.digest(of: "32.17") == (digest, count))
        // An edit at the kab/kota changes its digest until the province has it too.
        let plan = try Plans(kab).list(subtree: "32.17").first!.id
        try kab.write(
            type: .actionPlan, recordID: plan, owner: "32.17", fields: ["progress": .int(40)], actor: "t")
        #expect(try kab.audit.digest(of: "32.17").digest != digest)
        _ = try prov.receive(try kab.outboxChanges(), sender: "32.17", source: "test")
        #expect(try kab.audit.digest(of: "32.17") == prov.audit.digest(of: "32.17"))
    }

    @Test func theDigestReadsTheKeptRowsNotTheRecords() throws {
        let (kab, prov) = try busyOffice()
        defer { TestNodes.remove(kab); TestNodes.remove(prov) }
        let before = try prov.audit.digest(of: "32")
        // The records gone behind zisync's back: the digest still reads the kept rows, and
        // verify says the two disagree.
        try prov.db.write { db in try db.execute(sql: "DELETE FROM record_state WHERE owner = '32.17'") }
        #expect(try prov.audit.digest(of: "32") == before)
        let report = try prov.audit.verify()
        #expect(report.problems.contains { $0.contains("kept digest of 32.17") && $0.contains("give 0") })
    }

    @Test func verifyNamesAKeptDigestEditedBehindZisyncsBack() throws {
        let (kab, prov) = try busyOffice()
        defer { TestNodes.remove(kab); TestNodes.remove(prov) }
        try kab.db.write { db in
            try db.execute(sql: "UPDATE owner_digest SET records = records + 1 WHERE owner = '32.17'")
        }
        let report = try kab.audit.verify()
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.hasPrefix("kept digest of 32.17: 31 record(s)") == true)
        #expect(report.problems.first?.contains("its records give 30") == true)
        try kab.db.write { db in try db.execute(sql: "DELETE FROM owner_digest WHERE owner = '32.17'") }
        #expect(try kab.audit.verify().problems == ["kept digest of 32.17: missing, but its records give 30 record(s)"])
    }

    @Test func aBatchLargerThanASliceIsAppliedWhole() throws {
        // 1,200 plans, then an edit of each: the edits of the first ones arrive after the session
        // wrote and forgot them (a slice is 1,000 changes), so they are read back from the table.
        let kab = try TestNodes.make("32.17")
        let prov = try TestNodes.make("32")
        defer { TestNodes.remove(kab); TestNodes.remove(prov) }
        let ids = (0..<1_200).map { _ in Validation.newRecordID() }
        try kab.writeBatch { w in
            for (i, id) in ids.enumerated() {
                try w.write(
                    type: .actionPlan, recordID: id, owner: "32.17",
                    fields: ["area": .string("sdm"), "activity": .string("rencana \(i)")], actor: "t")
            }
            for id in ids {
                try w.write(type: .actionPlan, recordID: id, owner: "32.17", fields: ["progress": .int(50)], actor: "t")
            }
        }
        let r = try prov.receive(try kab.outboxChanges(), sender: "32.17", source: "test")
        #expect(r.applied == 2_400 && r.refused.isEmpty)
        #expect(try prov.records.get(ids[0])?["progress"] == .int(50))
        #expect(try prov.records.get(ids[0])?["activity"] == .string("rencana 0"))
        #expect(try prov.audit.digest(of: "32.17") == kab.audit.digest(of: "32.17"))
        #expect(try prov.audit.verify().ok)
    }

    @Test func aSumIsTakenModuloTwoToThe256() throws {
        var a = DigestSum(bytes: [UInt8](repeating: 0xFF, count: 32))!
        a.add(DigestSum(bytes: [UInt8](repeating: 0, count: 31) + [1])!)
        #expect(a == .zero, "2^256 - 1 + 1 wraps to zero")
        a.subtract(DigestSum(bytes: [UInt8](repeating: 0, count: 31) + [1])!)
        #expect(a.bytes == [UInt8](repeating: 0xFF, count: 32), "0 - 1 wraps to 2^256 - 1")
        let h = DigestSum(bytes: (0..<32).map { UInt8($0 * 7 & 0xFF) })!
        var b = h
        b.add(h)
        b.subtract(h)
        #expect(b == h && b.bytes == (0..<32).map { UInt8($0 * 7 & 0xFF) })
        #expect(DigestSum(bytes: [UInt8](repeating: 0, count: 31)) == nil)
    }
}
