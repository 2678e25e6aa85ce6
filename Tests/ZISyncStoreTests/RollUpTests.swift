import Foundation
import GRDB
import Testing
import ZISyncCore
import ZISyncTestSupport

@testable import ZISyncStore

/// The roll-up, the lists and the file queues read the records' per-type columns: they must
/// follow every way a record can change, in any order of arrival.
@Suite struct RollUpTests {
    func change(
        _ origin: String, _ seq: Int64, prev: Change?, _ type: RecordType, _ id: String, owner: String,
        _ fields: [String: FieldValue], base: [String: [Version]] = [:], ms: Int64
    ) -> Change {
        Change(
            origin: origin, seq: seq, hlc: HLC(milliseconds: ms, counter: 0), recordType: type.rawValue, recordID: id,
            owner: owner, fields: fields, base: base, actor: "t", prev: prev?.hash)
    }

    func row(_ rows: [ReportRow], _ satker: String, _ area: String) -> ReportRow? {
        rows.first { $0.satker == satker && $0.area == area }
    }

    @Test func theReviewQueueHoldsWhatNoReviewNamesOldestFirst() throws {
        let prov = try TestNodes.make("32")
        defer { TestNodes.remove(prov) }
        let plans = Plans(prov)
        var ids: [String] = []
        for (i, owner) in ["32.17", "32.73", "32.17", "32"].enumerated() {
            ids.append(
                try plans.add(
                    owner: owner, fields: ["area": .string("sdm"), "activity": .string("Rencana \(i)")], actor: "t"))
        }
        // One office's own, without its subtree (the web app's Beranda and lists).
        #expect(try plans.list(owners: ["32"]).map(\.id) == [ids[3]])
        #expect(try plans.list(owners: ["32.17"]).map(\.id) == [ids[0], ids[2]])
        #expect(try RollUp(prov).rows(owners: ["32"], today: "2026-01-01").map(\.plans) == [1])
        #expect(try RollUp(prov).rows(today: "2026-01-01").map(\.plans).reduce(0, +) == 4)
        let below = prov.subtree.subtracting(["32"])
        let all = try Reviews(prov).unreviewed(owners: below, limit: 10)
        #expect(
            all.records.map(\.id) == Array(ids.prefix(3)) && !all.more, "the province's own plan is not its to review")
        _ = try Reviews(prov).review(ids[0], type: .actionPlan, verdict: "disetujui", note: nil, actor: "rina@32")
        try plans.delete(ids[2], actor: "t")
        let left = try Reviews(prov).unreviewed(owners: below, limit: 10)
        #expect(left.records.map(\.id) == [ids[1]], "reviewed and deleted ones leave the queue")
        _ = try plans.add(owner: "32.01", fields: ["area": .string("sdm"), "activity": .string("Lagi")], actor: "t")
        let first = try Reviews(prov).unreviewed(owners: below, limit: 1)
        #expect(first.records.map(\.id) == [ids[1]] && first.more)
        #expect(try Reviews(prov).unreviewed(owners: ["32.73"], limit: 5).records.map(\.id) == [ids[1]])
    }

    @Test func evidenceCountsUnderItsPlansAreaWhateverArrivesFirst() throws {
        let ri = try TestNodes.make("00")
        defer { TestNodes.remove(ri) }
        let plan = Validation.newRecordID()
        let early = Validation.newRecordID()
        let late = Validation.newRecordID()
        let sha = String(repeating: "ab", count: 32)
        // Evidence naming a plan that is not here waits for it, counted nowhere (pushes send the
        // deepest offices first, so an honest province's evidence never arrives before its kab/kota's plan).
        let orphan = change(
            "32", 1, prev: nil, .evidence, Validation.newRecordID(), owner: "32.17",
            ["plan": .string(Validation.newRecordID()), "file_name": .string("o.pdf")], ms: 5)
        let refused = try ri.receive([orphan], sender: nil, source: "test")
        #expect(refused.waiting == 1 && refused.refused.isEmpty)
        #expect(try RollUp(ri).rows(today: "2026-01-01").isEmpty)

        let p1 = change(
            "32.17", 1, prev: nil, .actionPlan, plan, owner: "32.17",
            ["area": .string("sdm"), "activity": .string("a"), "deadline": .string("2025-06-30")], ms: 20)
        // The province enters evidence for its kab/kota's plan.
        let e1 = change(
            "32", 2, prev: orphan, .evidence, early, owner: "32.17",
            ["plan": .string(plan), "sha256": .string(sha), "size": .int(10), "file_name": .string("a.pdf")], ms: 25)
        let e2 = change(
            "32.17", 2, prev: p1, .evidence, late, owner: "32.17", ["plan": .string(plan), "file_name": .string("b")],
            ms: 30)
        let review = change(
            "32", 3, prev: e1, .review, Validation.newRecordID(), owner: "32.17",
            [
                "subject": .string(early), "subject_type": .string("evidence"), "verdict": .string("ditolak"),
                "reviewer_satker": .string("32"),
            ], ms: 40)
        let applied = try ri.receive([p1, e1, e2, review], sender: nil, source: "test")
        #expect(applied.refused.isEmpty, "\(applied.refused)")
        var sdm = try #require(row(try RollUp(ri).rows(today: "2026-01-01"), "32.17", "sdm"))
        #expect(sdm.plans == 1 && sdm.overdue == 1 && sdm.done == 0)
        #expect(sdm.evidence == 2 && sdm.evidenceMissingFiles == 2, "neither file is here; one names none")
        #expect(sdm.ditolak == 1)
        #expect(try ri.ledger.missingFileCount() == 1)

        // The file arrives: no longer missing. The plan moves to another area, then is done.
        let file = TestNodes.tempDir().appendingPathComponent("x")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        try Data(repeating: 1, count: 10).write(to: file)
        let stored = try ri.files.put(contentsOf: file)
        let e1b = change(
            "32", 4, prev: review, .evidence, early, owner: "32.17", ["sha256": .string(stored.sha256)],
            base: ["sha256": [e1.version]], ms: 50)
        let p2 = change(
            "32.17", 3, prev: e2, .actionPlan, plan, owner: "32.17",
            ["area": .string("akuntabilitas"), "status": .string("selesai")], base: ["area": [p1.version]], ms: 60)
        _ = try ri.receive([e1b, p2], sender: nil, source: "test")
        let rows = try RollUp(ri).rows(today: "2026-01-01")
        #expect(row(rows, "32.17", "sdm") == nil)
        sdm = try #require(row(rows, "32.17", "akuntabilitas"))
        #expect(sdm.plans == 1 && sdm.done == 1 && sdm.overdue == 0)
        #expect(sdm.evidence == 2 && sdm.evidenceMissingFiles == 1 && sdm.ditolak == 1)
        #expect(try ri.ledger.missingFileCount() == 0, "the old file is no longer named, the new one is here")

        // A deleted plan takes its evidence out of the roll-up; evidence of another office's plan is refused.
        let p3 = change(
            "32.17", 4, prev: p2, .actionPlan, plan, owner: "32.17", ["deleted": .bool(true)], ms: 70)
        let foreign = change(
            "32", 5, prev: e1b, .evidence, Validation.newRecordID(), owner: "32", ["plan": .string(plan)], ms: 80)
        let last = try ri.receive([p3, foreign], sender: nil, source: "test")
        #expect(last.refused.map(\.change) == [foreign.id])
        #expect(last.refused.first?.reason.contains("belongs to 32.17") == true)
        #expect(try RollUp(ri).rows(today: "2026-01-01").isEmpty)
        #expect(try Evidence(ri).list(plan: plan).count == 2, "the list still shows the plan's evidence")
        #expect(try ri.audit.verify().ok)
    }

    @Test func theColumnsMatchTheRecordsAfterAnyOrderOfDelivery() throws {
        // The same changes in two orders give the same columns as recomputed from the records.
        let kab = try TestNodes.make("32.17")
        defer { TestNodes.remove(kab) }
        let plans = Plans(kab)
        var ids: [String] = []
        for i in 0..<20 {
            ids.append(
                try plans.add(
                    fields: ["area": .string(Area.allCases[i % 6].rawValue), "activity": .string("p\(i)")], actor: "a"))
        }
        for (i, id) in ids.enumerated() where i % 3 == 0 {
            try plans.set(id, assignments: [("status", "selesai"), ("area", "sdm")], actor: "a")
        }
        for (i, id) in ids.enumerated() where i % 5 == 0 { try plans.delete(id, actor: "a") }
        let changes = try kab.outboxChanges()
        var rng = SeededRandom(seed: 7)
        for order in [changes, changes.shuffled(using: &rng)] {
            let prov = try TestNodes.make("32")
            defer { TestNodes.remove(prov) }
            _ = try prov.receive(order, sender: "32.17", source: "test")
            try prov.db.read { db in
                for row in try Row.fetchAll(
                    db,
                    sql:
                        "SELECT \(RecordRow.columns), area, status, deleted FROM record_state WHERE record_type = 'action_plan'"
                ) {
                    let rec = try RecordRow(row: row).record()
                    #expect(row["area"] as String? == rec.string("area"))
                    #expect(row["status"] as String? == rec.string("status"))
                    #expect(row["deleted"] as Bool == rec.isDeleted)
                }
            }
            #expect(
                try RollUp(prov).rows(subtree: "32.17", today: "2030-01-01") == RollUp(kab).rows(today: "2030-01-01"))
        }
    }
}
