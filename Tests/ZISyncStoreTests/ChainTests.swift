import Foundation
import GRDB
import Testing
import ZISyncCore
import ZISyncTestSupport

@testable import ZISyncStore

@Suite struct ChainTests {
    /// A kab/kota node with three local writes, and a province to deliver them to.
    func setup() throws -> (kab: Store, prov: Store, changes: [Change]) {
        let kab = try TestNodes.make("32.17")
        let id = Validation.newRecordID()
        try kab.write(
            type: .actionPlan, recordID: id, owner: "32.17",
            fields: ["area": .string("sdm"), "activity": .string("a")], actor: "t")
        try kab.write(type: .actionPlan, recordID: id, owner: "32.17", fields: ["activity": .string("b")], actor: "t")
        try kab.write(type: .actionPlan, recordID: id, owner: "32.17", fields: ["activity": .string("c")], actor: "t")
        return (kab, try TestNodes.make("32"), try kab.outboxChanges())
    }

    func edited(_ c: Change, activity: String) -> Change {
        var fields = c.fields
        fields["activity"] = .string(activity)
        return Change(
            origin: c.origin, seq: c.seq, hlc: c.hlc, recordType: c.recordType, recordID: c.recordID, owner: c.owner,
            fields: fields, base: c.base, actor: c.actor, prev: c.prev, hash: c.hash)
    }

    @Test func editedChangeIsRefusedAndTheChainWaits() throws {
        let (kab, prov, changes) = try setup()
        defer { TestNodes.remove(kab); TestNodes.remove(prov) }
        let r = try prov.receive(
            [changes[0], edited(changes[1], activity: "forged"), changes[2]], sender: "32.17", source: "test")
        #expect(r.applied == 1)
        #expect(r.refused.count == 1 && r.refused[0].reason.contains("hash does not match"))
        #expect(r.held == 1, "change 3 waits for the real change 2")
        let fixed = try prov.receive([changes[1]], sender: "32.17", source: "test")
        #expect(fixed.applied == 2 && fixed.held == 0)
        #expect(try prov.audit.digest(of: "32.17") == kab.audit.digest(of: "32.17"))
    }

    @Test func missingChangeHoldsLaterOnes() throws {
        let (kab, prov, changes) = try setup()
        defer { TestNodes.remove(kab); TestNodes.remove(prov) }
        let r = try prov.receive([changes[0], changes[2]], sender: "32.17", source: "test")
        #expect(r.applied == 1 && r.held == 1)
        #expect(try prov.records.get(changes[0].recordID)?["activity"] == .string("a"))
        let later = try prov.receive([changes[1]], sender: "32.17", source: "test")
        #expect(later.applied == 2)
        #expect(try prov.records.get(changes[0].recordID)?["activity"] == .string("c"))
    }

    @Test func theClockMovesOnAcrossTransactionsWithAFrozenWallClock() throws {
        let frozen = try TestNodes.make("32.17", physicalNow: { 1_700_000_000_000 })
        defer { TestNodes.remove(frozen) }
        let id = Validation.newRecordID()
        var seen: [HLC] = []
        for i in 0..<5 {
            seen.append(
                try frozen.write(
                    type: .actionPlan, recordID: id, owner: "32.17",
                    fields: ["area": .string("sdm"), "activity": .string("v\(i)")], actor: "t"
                ).hlc)
        }
        #expect(zip(seen, seen.dropFirst()).allSatisfy { $0 < $1 }, "\(seen)")
        // Reopened, the node remembers where its clock stood.
        let reopened = try Store.open(home: frozen.home, physicalNow: { 1_700_000_000_000 })
        let next = try reopened.write(
            type: .actionPlan, recordID: id, owner: "32.17", fields: ["activity": .string("after")], actor: "t")
        #expect(next.hlc > seen.last!)
        #expect(try reopened.records.get(id)?["activity"] == .string("after"))
    }

    @Test func reorderedChainIsRefused() throws {
        let (kab, prov, changes) = try setup()
        defer { TestNodes.remove(kab); TestNodes.remove(prov) }
        // A relay that swaps changes 2 and 3 must re-number them; their prev hashes no longer link.
        let c2 = changes[1]
        let c3 = changes[2]
        let swapped2 = Change(
            origin: c3.origin, seq: 2, hlc: c3.hlc, recordType: c3.recordType, recordID: c3.recordID, owner: c3.owner,
            fields: c3.fields, base: c3.base, actor: c3.actor, prev: c3.prev)
        let r = try prov.receive([changes[0], swapped2, c2], sender: "32.17", source: "test")
        #expect(r.refused.count >= 1)
        #expect(r.refused[0].reason.contains("previous hash"))
    }

    @Test func replayChangesNothing() throws {
        let (kab, prov, changes) = try setup()
        defer { TestNodes.remove(kab); TestNodes.remove(prov) }
        _ = try prov.receive(changes, sender: "32.17", source: "test")
        let digest = try prov.audit.digest(of: "32")
        let again = try prov.receive(changes, sender: "32.17", source: "test")
        #expect(again.applied == 0 && again.duplicates == 3 && again.refused.isEmpty)
        #expect(try prov.audit.digest(of: "32") == digest)
        #expect(try prov.audit.counts().changes == 752 + 3)
    }

    @Test func verifyCatchesRowsEditedBehindZisyncsBack() throws {
        let (kab, prov, _) = try setup()
        defer { TestNodes.remove(kab); TestNodes.remove(prov) }
        #expect(try kab.audit.verify().ok)
        try kab.db.write { db in
            try db.execute(
                sql:
                    "UPDATE change_log SET fields = replace(fields, '\"b\"', '\"x\"') WHERE origin = '32.17' AND seq = 2"
            )
        }
        let bad = try kab.audit.verify()
        #expect(!bad.ok)
        #expect(bad.problems[0].contains("change 32.17:2"))

        let other = try TestNodes.make("32.17")
        defer { TestNodes.remove(other) }
        try other.write(
            type: .actionPlan, recordID: Validation.newRecordID(), owner: "32.17",
            fields: ["area": .string("sdm"), "activity": .string("a")], actor: "t")
        try other.db.write { db in
            try db.execute(
                sql:
                    "UPDATE record_state SET state = replace(state, '\"a\"', '\"z\"') WHERE record_type = 'action_plan'"
            )
        }
        let state = try other.audit.verify()
        #expect(!state.ok)
        #expect(state.problems[0].contains("field 'activity'"))
    }

    @Test func writeRulesAreEnforcedOnReceipt() throws {
        let (kab, prov, _) = try setup()
        defer { TestNodes.remove(kab); TestNodes.remove(prov) }
        let other = try TestNodes.make("32.18")
        defer { TestNodes.remove(other) }
        // 32.18 writes to a record owned by 32.17: its own node refuses at once...
        #expect(throws: ZISyncError.self) {
            try other.write(
                type: .actionPlan, recordID: Validation.newRecordID(), owner: "32.17",
                fields: ["activity": .string("x")], actor: "t")
        }
        // ...and a forged change of that kind is refused at the province, stored for audit,
        // and does not block the next change of the same origin.
        let forged = Change(
            origin: "32.18", seq: 1, hlc: HLC(milliseconds: 1, counter: 0), recordType: "action_plan",
            recordID: Validation.newRecordID(), owner: "32.17", fields: ["activity": .string("x")], base: [:],
            actor: "t", prev: nil)
        let next = Change(
            origin: "32.18", seq: 2, hlc: HLC(milliseconds: 2, counter: 0), recordType: "action_plan",
            recordID: Validation.newRecordID(), owner: "32.18",
            fields: ["activity": .string("ok"), "area": .string("sdm")], base: [:],
            actor: "t", prev: forged.hash)
        let r = try prov.receive([forged, next], sender: "32.18", source: "test")
        #expect(r.refused.count == 1 && r.refused[0].reason.contains("may not write a record owned by 32.17"))
        #expect(r.applied == 1)
        #expect(try prov.audit.refusedChanges().count == 1)
        // A sender delivering another office's origin is refused at the door, even a change
        // already stored here (the door comes before the duplicate check).
        let door = try prov.receive([next], sender: "32.17", source: "test")
        #expect(door.duplicates == 0 && door.applied == 0)
        #expect(door.refused.count == 1 && door.refused[0].reason.contains("outside the subtree of the sender 32.17"))
        let foreign = Change(
            origin: "32.18", seq: 3, hlc: HLC(milliseconds: 3, counter: 0), recordType: "action_plan",
            recordID: Validation.newRecordID(), owner: "32.18", fields: ["activity": .string("x")], base: [:],
            actor: "t", prev: next.hash)
        let r2 = try prov.receive([foreign], sender: "32.17", source: "test")
        #expect(r2.refused.count == 1 && r2.refused[0].reason.contains("outside the subtree of the sender 32.17"))
    }
}

@Suite struct PartialFileTests {
    @Test func aCompletePartialLeftByAKillIsFinishedOnTheNextRequest() throws {
        let dir = TestNodes.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try FileStore(root: dir)
        let data = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 13) })
        let sha = Hashing.sha256Hex(data)
        try files.beginPartial(sha, length: Int64(data.count))
        // Every byte arrived, but the process died before the file was checked and moved.
        try data.write(to: files.partialURL(sha))
        #expect(!files.contains(sha))
        #expect(files.progress(sha)?.offset == Int64(data.count))
        try files.beginPartial(sha, length: Int64(data.count))
        #expect(files.contains(sha), "the next announcement completes it")
        #expect(files.progress(sha)?.offset == Int64(data.count))

        // A partial whose bytes do not hash right is discarded, and the transfer starts over.
        let bad = String(repeating: "ab", count: 32)
        try files.beginPartial(bad, length: 4)
        try files.appendPartial(bad, at: 0, Data([1, 2]))
        #expect(throws: ZISyncError.self) { try files.appendPartial(bad, at: 2, Data([3, 4])) }
        #expect(files.progress(bad) == nil)
        try files.beginPartial(bad, length: 4)
        #expect(files.progress(bad)?.offset == 0)
    }
}

@Suite struct RecordStateCodecTests {
    @Test func conflictedRecordStateRoundTrips() throws {
        let state = FieldState(
            value: .string("b"), hlc: HLC(rawValue: 9), origin: "11", seq: 2,
            heads: [Version(origin: "11", seq: 2), Version(origin: "11.01", seq: 5)],
            missing: [Version(origin: "11.02", seq: 1)])
        let plain = FieldState(
            value: .null, hlc: HLC(rawValue: 3), origin: "11", seq: 1, heads: [Version(origin: "11", seq: 1)],
            missing: [])
        let text = RecordStateCodec.encode(["target": state, "note": plain])
        #expect(try RecordStateCodec.decode(text) == ["target": state, "note": plain])
        #expect(!text.contains("\"note\":{\"heads\""), "a lone head is implied, not stored")
        #expect(throws: ZISyncError.self) { try RecordStateCodec.decode("{\"x\":{\"h\":1}}") }
        #expect(throws: (any Error).self) { try RecordStateCodec.decode("[1]") }
    }
}
