import Foundation
import Testing
import ZISyncCore
import ZISyncProtocol
import ZISyncTestSupport

@testable import ZISyncStore

/// A clock that tests move by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var ms: Int64
    init(_ ms: Int64) { self.ms = ms }
    var now: Int64 { lock.withLock { ms } }
    func advance(_ by: Int64) { lock.withLock { ms += by } }
}

/// The store's side of the clock policy and of the write rules that need the records here, with
/// a clock moved by hand (docs/decisions.md).
@Suite struct ClockAndRelationTests {
    static let t0: Int64 = 1_790_000_000_000
    static let minute: Int64 = 60_000

    func change(
        _ origin: String, _ seq: Int64, prev: Change?, _ type: RecordType, owner: String,
        _ fields: [String: FieldValue],
        at ms: Int64, id: String = Validation.newRecordID()
    ) -> Change {
        Change(
            origin: origin, seq: seq, hlc: HLC(milliseconds: ms, counter: 0), recordType: type.rawValue, recordID: id,
            owner: owner, fields: fields, base: [:], actor: "t", prev: prev?.hash)
    }

    @Test func aChangeFromAboveStampedAheadWaitsUntilTheClockReachesIt() throws {
        let clock = TestClock(Self.t0)
        let kab = try TestNodes.make("32.17", physicalNow: { clock.now })
        defer { TestNodes.remove(kab) }
        let plan = try Plans(kab).add(fields: ["area": .string("sdm"), "activity": .string("a")], actor: "t")
        let review = change(
            "32", 1, prev: nil, .review, owner: "32.17",
            [
                "subject": .string(plan), "subject_type": .string("action_plan"), "verdict": .string("disetujui"),
                "reviewer_satker": .string("32"),
            ], at: Self.t0 + 10 * Self.minute)
        let held = try kab.ledger.receivePulled([review], from: "32", cursor: 1, maxClockAhead: 5 * Self.minute)
        #expect(held.applied == 0 && held.held == 1 && held.heldForClock == 1)
        #expect(try Reviews(kab).latest(of: plan) == nil)
        let waiting = try kab.audit.waiting()
        #expect(waiting.first?.reason == "clock" && waiting.first?.releaseAt == Self.t0 + 5 * Self.minute)
        // The node's own clock did not move: its next write is stamped now.
        let written = try kab.write(
            type: .actionPlan, recordID: plan, owner: "32.17", fields: ["status": .string("berjalan")], actor: "t")
        #expect(written.hlc.milliseconds == Self.t0)

        // Six minutes later the review is within the limit: the next pull (even an empty one) applies it.
        clock.advance(6 * Self.minute)
        let released = try kab.ledger.receivePulled([], from: "32", cursor: 1, maxClockAhead: 5 * Self.minute)
        #expect(released.applied == 1 && released.held == 0)
        #expect(try Reviews(kab).latest(of: plan)?.string("verdict") == "disetujui")
        #expect(try kab.audit.waiting().isEmpty)
    }

    @Test func aNodeWhoseClockRanAheadReStampsOnlyWhatNobodyAccepted() throws {
        let clock = TestClock(Self.t0 + 24 * 60 * Self.minute)  // a day ahead
        let kab = try TestNodes.make("32.17", physicalNow: { clock.now })
        defer { TestNodes.remove(kab) }
        let plans = Plans(kab)
        let first = try plans.add(fields: ["area": .string("sdm"), "activity": .string("diterima")], actor: "t")
        // The parent accepted the first change (its clock was wrong too); the next two it did not.
        try kab.ledger.acknowledge(["32.17": 1])
        let second = try plans.add(fields: ["area": .string("sdm"), "activity": .string("ditahan")], actor: "t")
        try plans.set(second, assignments: [("status", "berjalan")], actor: "t")
        let before = try kab.outboxChanges()
        #expect(before.map(\.seq) == [2, 3])

        clock.advance(-24 * 60 * Self.minute)  // NTP sets it right
        #expect(try kab.repairClock() == 2)
        let after = try kab.outboxChanges()
        #expect(after.map(\.seq) == [2, 3])
        #expect(after.allSatisfy { $0.hlc.milliseconds <= Self.t0 + 24 * 60 * Self.minute && $0.hashIsValid })
        #expect(after[0].hlc < before[0].hlc && after[1].hlc > after[0].hlc, "in order, earlier than before")
        #expect(after.map(\.fields) == before.map(\.fields) && after.map(\.recordID) == before.map(\.recordID))
        let accepted = try kab.outboxChanges(all: true).first { $0.origin == "32.17" && $0.seq == 1 }
        #expect(after[0].prev == accepted?.hash && accepted?.hlc.milliseconds == Self.t0 + 24 * 60 * Self.minute)
        #expect(after[1].prev == after[0].hash, "a new chain from the last accepted change")
        // The record's clock followed; the accepted first change kept its stamp.
        #expect(try kab.records.get(second)?.fields["status"]?.hlc == after[1].hlc)
        #expect(try kab.records.get(first)?.fields["activity"]?.hlc.milliseconds == Self.t0 + 24 * 60 * Self.minute)
        #expect(try kab.audit.verify().ok)
        #expect(try kab.repairClock() == 0, "nothing left ahead")
        // New writes come after everything it believes.
        let third = try kab.write(
            type: .actionPlan, recordID: second, owner: "32.17", fields: ["progress": .int(50)], actor: "t")
        #expect(third.hlc > after[1].hlc)
    }

    @Test func aHeldChangeIsReplacedOnlyByAnEarlierStampedOne() throws {
        let clock = TestClock(Self.t0)
        let prov = try TestNodes.make("32", physicalNow: { clock.now })
        defer { TestNodes.remove(prov) }
        let fields: [String: FieldValue] = ["area": .string("sdm"), "activity": .string("a")]
        let id = Validation.newRecordID()
        let ahead = change(
            "32.17", 1, prev: nil, .actionPlan, owner: "32.17", fields, at: Self.t0 + 60 * Self.minute, id: id)
        let restamped = change(
            "32.17", 1, prev: nil, .actionPlan, owner: "32.17", fields, at: Self.t0 + Self.minute, id: id)
        let limit = 5 * Self.minute
        var r = try prov.ledger.receiveFromBelow(
            [ahead], sender: "32.17", source: "t", at: Self.t0, maxClockAhead: limit, recordChild: false)
        #expect(r.held == 1 && r.heldForClock == 1)
        // A replay of the first copy cannot undo a re-stamp; the re-stamped one applies in its place.
        r = try prov.ledger.receiveFromBelow(
            [restamped], sender: "32.17", source: "t", at: Self.t0, maxClockAhead: limit, recordChild: false)
        #expect(r.applied == 1 && r.held == 0, "\(r)")
        r = try prov.ledger.receiveFromBelow(
            [ahead], sender: "32.17", source: "t", at: Self.t0, maxClockAhead: limit, recordChild: false)
        #expect(r.applied == 0 && r.held == 0 && r.refused.count == 1, "the first copy is now a different change")
        #expect(try prov.audit.waiting().isEmpty)
    }

    /// A plan's required fields and default status are the schema's: the same rule for a received
    /// change as for a local write, whichever door it came through.
    @Test func aPlanWithoutItsRequiredFieldsIsRefusedWhereverItComesFrom() throws {
        let prov = try TestNodes.make("32")
        defer { TestNodes.remove(prov) }
        let noArea = change("32.17", 1, prev: nil, .actionPlan, owner: "32.17", ["activity": .string("a")], at: Self.t0)
        let blank = change(
            "32.17", 2, prev: noArea, .actionPlan, owner: "32.17",
            ["area": .string("sdm"), "activity": .string("  ")], at: Self.t0)
        let good = change(
            "32.17", 3, prev: blank, .actionPlan, owner: "32.17", ["area": .string("sdm"), "activity": .string("b")],
            at: Self.t0)
        func edit(_ seq: Int64, _ prev: Change, _ fields: [String: FieldValue]) -> Change {
            Change(
                origin: "32.17", seq: seq, hlc: HLC(milliseconds: Self.t0 + seq, counter: 0), recordType: "action_plan",
                recordID: good.recordID, owner: "32.17", fields: fields,
                base: fields.mapValues { _ in [good.version] }, actor: "t", prev: prev.hash)
        }
        let emptied = edit(4, good, ["area": .null])
        // An edit that sets a field for the first time (an empty base) does not make the record.
        let edited = change(
            "32.17", 5, prev: emptied, .actionPlan, owner: "32.17", ["target": .string("3 SOP")], at: Self.t0 + 9,
            id: good.recordID)
        // Nor does another office's first edit of a plan that has not arrived here.
        let early = change(
            "32", 1, prev: nil, .actionPlan, owner: "32.17", ["realisation": .string("50%")], at: Self.t0)
        let r = try prov.receive([noArea, blank, good, emptied, edited, early], sender: nil, source: "t")
        let reasons = Dictionary(uniqueKeysWithValues: r.refused.map { ($0.change, $0.reason) })
        #expect(reasons["32.17:1"] == "a new action_plan needs 'area' (required)", "\(reasons)")
        #expect(reasons["32.17:2"] == "a new action_plan needs 'activity' (required)", "\(reasons)")
        #expect(reasons["32.17:4"] == "'area' of a action_plan may not be emptied (required)", "\(reasons)")
        #expect(reasons.count == 3 && r.applied == 3, "\(reasons)")
        #expect(try prov.records.get(good.recordID)?.string("area") == "sdm")
        // A received plan keeps what its office wrote: defaults are for plans made here.
        #expect(try prov.records.get(good.recordID)?.string("status") == nil)

        // Locally, through the domain operation and around it alike.
        #expect(throws: ZISyncError("a new action_plan needs 'area' (required)")) {
            try Plans(prov).add(fields: ["activity": .string("x")], actor: "t")
        }
        #expect(throws: ZISyncError("a new action_plan needs 'area' and 'activity' (required)")) {
            try prov.write(
                type: .actionPlan, recordID: Validation.newRecordID(), owner: "32", fields: ["target": .string("1")],
                actor: "t")
        }
        let id = try Plans(prov).add(fields: ["area": .string("sdm"), "activity": .string("x")], actor: "t")
        #expect(try prov.records.get(id)?.string("status") == "draft", "the schema's default")
        #expect(throws: ZISyncError("'activity' of a action_plan may not be emptied (required)")) {
            try Plans(prov).update(id, fields: ["activity": .string("")], actor: "t")
        }
        #expect(try Plans(prov).update(id, fields: ["activity": .string("x")], actor: "t") == nil, "nothing differs")
    }

    @Test func reviewsAndEvidenceAreCheckedAgainstTheRecordsHere() throws {
        let prov = try TestNodes.make("32")
        defer { TestNodes.remove(prov) }
        let plan = change(
            "32.17", 1, prev: nil, .actionPlan, owner: "32.17", ["area": .string("sdm"), "activity": .string("a")],
            at: Self.t0)
        let evidence = change(
            "32.17", 2, prev: plan, .evidence, owner: "32.17", ["plan": .string(plan.recordID)], at: Self.t0)
        #expect(try prov.receive([plan, evidence], sender: "32.17", source: "t").refused.isEmpty)
        func review(
            _ seq: Int64, _ prev: Change?, _ fields: [String: FieldValue], id: String = Validation.newRecordID()
        ) -> Change {
            change("32", seq, prev: prev, .review, owner: "32.17", fields, at: Self.t0, id: id)
        }
        let noReviewer = review(
            1, nil,
            ["subject": .string(plan.recordID), "subject_type": .string("action_plan"), "verdict": .string("ditolak")])
        let absent = review(
            2, noReviewer,
            [
                "subject": .string(Validation.newRecordID()), "subject_type": .string("action_plan"),
                "reviewer_satker": .string("32"),
            ])
        let wrongType = review(
            3, absent,
            ["subject": .string(plan.recordID), "subject_type": .string("evidence"), "reviewer_satker": .string("32")])
        let good = review(
            4, wrongType,
            [
                "subject": .string(evidence.recordID), "subject_type": .string("evidence"),
                "verdict": .string("perlu-revisi"), "reviewer_satker": .string("32"),
            ])
        let verdictOnly = change(
            "32", 5, prev: good, .review, owner: "32.17", ["verdict": .string("disetujui")], at: Self.t0 + 1,
            id: good.recordID)
        let onAReview = change(
            "32", 6, prev: verdictOnly, .evidence, owner: "32.17", ["plan": .string(good.recordID)], at: Self.t0)
        let r = try prov.receive(
            [noReviewer, absent, wrongType, good, verdictOnly, onAReview], sender: nil, source: "t")
        let reasons = Dictionary(uniqueKeysWithValues: r.refused.map { ($0.change, $0.reason) })
        #expect(reasons["32:1"]?.contains("must name its reviewer_satker") == true, "\(reasons)")
        #expect(reasons["32:2"] == nil && r.waiting == 1, "a subject not here: it waits, not refused \(reasons)")
        #expect(reasons["32:3"]?.contains("is a action_plan, not a evidence") == true, "\(reasons)")
        #expect(reasons["32:6"]?.contains("is a review, not an action_plan") == true, "\(reasons)")
        #expect(reasons["32:4"] == nil && reasons["32:5"] == nil, "a review of the record, then its verdict alone")
        #expect(try Reviews(prov).latest(of: evidence.recordID)?.string("verdict") == "disetujui")
        // The same rules on a local write.
        #expect(throws: ZISyncError.self) {
            try prov.write(
                type: .review, recordID: Validation.newRecordID(), owner: "32.17",
                fields: [
                    "subject": .string(plan.recordID), "subject_type": .string("action_plan"),
                    "reviewer_satker": .string("00"),
                ], actor: "t")
        }
    }

    /// Held changes leave in the order the outbox sent them, the deepest office first: RI holds a
    /// kab/kota's plan and its province's review of it (both ahead of RI's clock); when its clock
    /// reaches them, the plan goes first and the review is applied, not refused for good.
    @Test func heldChangesLeaveDeepestFirstSoAReviewFollowsItsPlan() throws {
        let t0: Int64 = 1_796_000_000_000
        let riClock = TestClock(t0)
        let ri = try TestNodes.make("00", physicalNow: { riClock.now })
        let prov = try TestNodes.make("32", physicalNow: { t0 + 30_000 })
        let kab = try TestNodes.make("32.17", physicalNow: { t0 + 85_000 })
        defer { for s in [ri, prov, kab] { TestNodes.remove(s) } }
        let plan = try Plans(kab).add(
            fields: [
                "area": try RecordType.actionPlan.schema.parse(field: "area", text: "1"),
                "activity": .string("SK Tim Kerja"),
            ], actor: "op@32.17")
        let atProv = try prov.ledger.receiveFromBelow(
            try kab.outboxChanges(), sender: "32.17", source: "test", at: t0 + 30_000, maxClockAhead: 60_000,
            recordChild: true)
        #expect(atProv.refused.isEmpty && atProv.heldForClock == 0, "\(atProv.refused)")
        _ = try Reviews(prov).review(plan, type: .actionPlan, verdict: "disetujui", note: nil, actor: "verif@32")
        let first = try ri.ledger.receiveFromBelow(
            try prov.outboxChanges(), sender: "32", source: "test", at: t0, maxClockAhead: 60_000, recordChild: true)
        #expect(first.heldForClock == 2 && first.refused.isEmpty, "\(first)")
        riClock.advance(120_000)
        let released = try ri.ledger.receiveFromBelow(
            [], sender: "32", source: "test", at: riClock.now, maxClockAhead: 60_000, recordChild: true)
        #expect(released.refused.isEmpty, "\(released.refused)")
        #expect(released.applied == 2)
        #expect(try ri.records.list(.review).count == 1 && ri.records.get(plan) != nil)
    }

    /// A refusal caused only by the order changes arrive in is never final: a review that arrives
    /// before its subject, a later change of that review, and evidence before its plan wait in
    /// the log (not applied, not served), then apply in their order when the record arrives, with
    /// a new arrival number so a child that pulled past their first place still gets them. One
    /// that turns out wrong (a subject of another office) is refused then, and a change of its
    /// record that waited behind it is judged alone.
    @Test func aRefusalCausedOnlyByOrderWaitsForTheRecordItNames() throws {
        let prov = try TestNodes.make("32")
        defer { TestNodes.remove(prov) }
        let planID = Validation.newRecordID()
        // KPU RI's changes come after those of the seed the province holds.
        let seeded = try prov.changeLog.tips(subtree: "00")["00"] ?? 0
        let review = change(
            "00", seeded + 1, prev: nil, .review, owner: "32.17",
            [
                "subject": .string(planID), "subject_type": .string("action_plan"), "verdict": .string("perlu-revisi"),
                "reviewer_satker": .string("00"),
            ], at: Self.t0 + 10)
        let verdict = change(
            "00", seeded + 2, prev: review, .review, owner: "32.17", ["verdict": .string("disetujui")],
            at: Self.t0 + 20,
            id: review.recordID)
        let before = try prov.changeLog.page(for: "32.17", after: 0, limit: 100_000).next
        let early = try prov.receive([review, verdict], sender: nil, source: "t")
        #expect(early.refused.isEmpty && early.waiting == 2 && early.applied == 0, "\(early)")
        #expect(try prov.records.get(review.recordID) == nil)
        #expect(try prov.audit.refusedChanges().isEmpty)
        let waits = try prov.audit.waiting()
        #expect(waits.allSatisfy { $0.reason == "record" } && waits.map(\.changes).reduce(0, +) == 2, "\(waits)")
        #expect(waits.contains { $0.releasedBy.contains(planID) }, "the review waits for its subject")
        #expect(waits.contains { $0.releasedBy.contains(review.recordID) }, "its verdict waits behind it")
        let waitingPage = try prov.changeLog.page(for: "32.17", after: before, limit: 100)
        #expect(waitingPage.wire.isEmpty, "not served while it waits")
        let cursor = waitingPage.next

        // The kab/kota's plan and evidence for it, the evidence first.
        let plan = change(
            "32.17", 1, prev: nil, .actionPlan, owner: "32.17", ["area": .string("sdm"), "activity": .string("a")],
            at: Self.t0, id: planID)
        let evidence = change(
            "32.17", 2, prev: plan, .evidence, owner: "32.17", ["plan": .string(planID)], at: Self.t0 + 1)
        let evidenceFirst = try prov.receive([evidence], sender: nil, source: "t")
        #expect(evidenceFirst.waiting == 0 && evidenceFirst.held == 1, "a gap in its chain: held, as before")
        let arrived = try prov.receive([plan], sender: nil, source: "t")
        #expect(arrived.refused.isEmpty && arrived.applied == 2 && arrived.released == 2, "\(arrived)")
        #expect(try Reviews(prov).latest(of: planID)?.string("verdict") == "disetujui", "in their order")
        #expect(try prov.audit.waiting().isEmpty)
        #expect(
            try prov.audit.history(of: review.recordID).allSatisfy { $0.outcome != .refused && $0.outcome != .waiting })
        let page = try prov.changeLog.page(for: "32.17", after: cursor, limit: 100).wire
        #expect(page.count == 2 && page.allSatisfy { $0.contains(review.recordID) }, "\(page)")

        // A review whose subject turns out to be another office's: refused when it arrives, and the
        // change of the same review that waited behind it is then judged on its own.
        let otherPlan = Validation.newRecordID()
        let wrong = change(
            "00", seeded + 3, prev: verdict, .review, owner: "32.17",
            [
                "subject": .string(otherPlan), "subject_type": .string("action_plan"),
                "reviewer_satker": .string("00"),
            ], at: Self.t0 + 30)
        let behind = change(
            "00", seeded + 4, prev: wrong, .review, owner: "32.17", ["verdict": .string("ditolak")], at: Self.t0 + 40,
            id: wrong.recordID)
        #expect(try prov.receive([wrong, behind], sender: nil, source: "t").waiting == 2)
        let theirs = change(
            "32.18", 1, prev: nil, .actionPlan, owner: "32.18", ["area": .string("sdm"), "activity": .string("b")],
            at: Self.t0, id: otherPlan)
        let judged = try prov.receive([theirs], sender: nil, source: "t")
        #expect(judged.refused.isEmpty, "another sender's trouble is not told to this one: \(judged.refused)")
        let reasons = Dictionary(uniqueKeysWithValues: try prov.audit.refusedChanges().map { ($0.change, $0.reason) })
        #expect(reasons["00:\(seeded + 3)"]?.contains("belongs to 32.18") == true, "\(reasons)")
        #expect(reasons["00:\(seeded + 4)"]?.contains("must name its reviewer_satker") == true, "\(reasons)")
        #expect(try prov.audit.waiting().isEmpty && prov.records.get(wrong.recordID) == nil)
        #expect(try prov.audit.history(of: wrong.recordID).allSatisfy { $0.outcome == .refused })
    }

    /// An office's later change of a record waits behind its own change that waits; another
    /// office's change of the same record is judged on its own, so a kab/kota whose change waits
    /// for good (a plan that never comes) holds up no one else's work on that record.
    @Test func aWaitingChangeHoldsUpOnlyItsOwnOfficesLaterChanges() throws {
        let prov = try TestNodes.make("32")
        defer { TestNodes.remove(prov) }
        let seeded = try prov.changeLog.tips(subtree: "00")["00"] ?? 0
        let never = Validation.newRecordID()
        let first = change(
            "32.18", 1, prev: nil, .evidence, owner: "32.18", ["plan": .string(never), "title": .string("SK")],
            at: Self.t0)
        let own = change(
            "32.18", 2, prev: first, .evidence, owner: "32.18", ["title": .string("SK Tim ZI")], at: Self.t0 + 1,
            id: first.recordID)
        let r = try prov.receive([first, own], sender: nil, source: "t")
        #expect(r.waiting == 2 && r.applied == 0, "\(r)")
        let above = change(
            "00", seeded + 1, prev: nil, .evidence, owner: "32.18", ["kind": .string("sk")], at: Self.t0 + 2,
            id: first.recordID)
        let judged = try prov.receive([above], sender: nil, source: "t")
        #expect(judged.applied == 1 && judged.waiting == 0, "KPU RI's change is not held up: \(judged)")
        #expect(try prov.records.get(first.recordID)?.string("kind") == "sk")
        #expect(try prov.audit.waiting().map(\.changes).reduce(0, +) == 2, "the kab/kota's two still wait")
    }
}
