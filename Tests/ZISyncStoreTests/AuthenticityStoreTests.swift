import Foundation
import GRDB
import Testing
import ZISyncAuthenticity
import ZISyncCore
import ZISyncProtocol
import ZISyncTestSupport
import ZISyncTransport

@testable import ZISyncStore

/// The apply path's checks of who wrote a change (docs/protocol.md, "Signatures"), and the
/// set-aside of a forked own chain, on stores in one process with a CA of their own.
@Suite(.serialized) struct AuthenticityStoreTests {
    final class PKI: @unchecked Sendable {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zisync-pki-\(UUID().uuidString)")
        init() throws { try DeploymentPKI.initCA(in: dir) }
        func key(_ satker: String) throws -> OriginKey {
            let (cert, key) = try DeploymentPKI.issue(in: dir, satker: satker)
            return try OriginKey(certificateFile: cert.path, keyFile: key.path)
        }
        var trust: DeploymentTrust {
            get throws { try DeploymentTrust(caFile: dir.appendingPathComponent("ca.crt").path) }
        }
        deinit { try? FileManager.default.removeItem(at: dir) }
    }

    /// A kab/kota writing `count` signed changes, and a province that checks them.
    /// Each write a second after the one before (`clock`), when the test needs their times apart.
    func setup(_ pki: PKI, count: Int, clock: TestClock? = nil) throws -> (
        kab: Store, prov: Store, key: OriginKey, changes: [Change]
    ) {
        let kab = try clock.map { c in try TestNodes.make("32.17", physicalNow: { c.now }) } ?? TestNodes.make("32.17")
        let key = try pki.key("32.17")
        try kab.useAuthenticity(signer: key, trust: try pki.trust)
        let id = Validation.newRecordID()
        for i in 0..<count {
            clock?.advance(1000)
            try kab.write(
                type: .actionPlan, recordID: id, owner: "32.17",
                fields: ["area": .string("sdm"), "activity": .string("v\(i)")], actor: "t")
        }
        let prov = try TestNodes.make("32")
        try prov.useAuthenticity(signer: try pki.key("32"), trust: try pki.trust)
        return (kab, prov, key, try kab.outboxChanges())
    }

    @Test func oneSignatureAtTheTopVouchesForTheRunBelowIt() throws {
        let pki = try PKI()
        let (kab, prov, key, changes) = try setup(pki, count: 4)
        defer { TestNodes.remove(kab); TestNodes.remove(prov) }
        #expect(changes.allSatisfy { $0.signature?.keyID == key.keyID })
        // Only the last keeps its signature: the chain vouches for the three below it.
        let stripped = changes.dropLast().map { $0.signed(nil) } + [changes.last!]
        let r = try prov.receive(stripped, sender: "32.17", source: "test", certificates: [key.certificateDER])
        #expect(r.applied == 4 && r.refused.isEmpty, "\(r.refused)")
        #expect(try prov.audit.digest(of: "32.17") == kab.audit.digest(of: "32.17"))
    }

    @Test func aChangeOutsideTheVouchedRunNeedsItsOwnSignature() throws {
        let pki = try PKI()
        let (kab, prov, key, changes) = try setup(pki, count: 3)
        defer { TestNodes.remove(kab); TestNodes.remove(prov) }
        // The top without a signature: nothing vouches for the run, each is checked alone.
        let r = try prov.receive(
            [changes[0], changes[1], changes[2].signed(nil)], sender: "32.17", source: "test",
            certificates: [key.certificateDER])
        #expect(r.applied == 2)
        #expect(r.refused.map(\.reason) == ["change 32.17:3 is not signed by 32.17"])
        // A certificate the province never received: named as unknown.
        let other = try TestNodes.make("32")
        defer { TestNodes.remove(other) }
        try other.useAuthenticity(signer: nil, trust: try pki.trust)
        let unknown = try other.receive([changes[0]], sender: "32.17", source: "test")
        #expect(
            unknown.refused.first?.reason.contains("which no certificate of the deployment CA held here names") == true)
        // A certificate from another CA is not kept, so it cannot vouch either.
        let foreign = try PKI()
        let stranger = try foreign.key("32.17")
        let forged = changes[0].signed(stranger.sign(hash: changes[0].hash))
        let r2 = try other.receive([forged], sender: "32.17", source: "test", certificates: [stranger.certificateDER])
        #expect(r2.applied == 0 && r2.refused.count == 1)
    }

    @Test func anAlteredChangeBreaksTheVouchingAndIsRefused() throws {
        let pki = try PKI()
        let (kab, prov, key, changes) = try setup(pki, count: 3)
        defer { TestNodes.remove(kab); TestNodes.remove(prov) }
        var fields = changes[1].fields
        fields["activity"] = .string("diubah")
        let altered = Change(
            origin: "32.17", seq: 2, hlc: changes[1].hlc, recordType: changes[1].recordType,
            recordID: changes[1].recordID, owner: "32.17", fields: fields, base: changes[1].base, actor: "t",
            prev: changes[1].prev
        ).signed(changes[1].signature)
        let r = try prov.receive(
            [changes[0], altered, changes[2]], sender: "32.17", source: "test", certificates: [key.certificateDER])
        #expect(r.applied == 1)
        #expect(r.refused.contains { $0.change == "32.17:2" && $0.reason.contains("does not verify") }, "\(r.refused)")
        #expect(r.held == 1, "change 3 waits for the real change 2")
        let fixed = try prov.receive([changes[1]], sender: "32.17", source: "test")
        #expect(fixed.applied == 2)
    }

    @Test func aRevokedKeyCountsFromItsRevocationAndTheOfficeSignsAgain() throws {
        let pki = try PKI()
        let (kab, prov, key, changes) = try setup(pki, count: 2, clock: TestClock(HybridClock.systemMilliseconds()))
        defer { TestNodes.remove(kab); TestNodes.remove(prov) }
        let serial = try DeploymentPKI.serial(
            ofCertificateFile: pki.dir.appendingPathComponent("32.17.crt").path)
        let ri = try TestNodes.make("00")
        defer { TestNodes.remove(ri) }
        let riKey = try pki.key("00")
        try ri.useAuthenticity(signer: riKey, trust: try pki.trust)
        let revocation = try ri.write(
            type: .revocation, recordID: Validation.newRecordID(), owner: "00",
            fields: [
                "satker": .string("32.17"), "serial": .string(serial),
                "revoked_at": .int(changes[0].hlc.milliseconds + 1),
            ],
            actor: "t")
        for store in [prov, kab] {
            let r = try store.receive(
                [revocation], sender: nil, source: "pull", certificates: [riKey.certificateDER])
            #expect(r.applied == 1, "\(r.refused)")
        }
        #expect(prov.doorRefusal(certificateDER: key.certificateDER)?.hasPrefix("revoked:") == true)
        let r = try prov.receive(changes, sender: "32.17", source: "test", certificates: [key.certificateDER])
        #expect(r.applied == 1, "the change made before the revocation stands")
        #expect(r.refused.first?.reason.contains("revoked before the change was made") == true, "\(r.refused)")

        // A new certificate: the office signs its second change again, and the province takes it.
        let renewed = try pki.key("32.17")
        try kab.useAuthenticity(signer: renewed, trust: try pki.trust)
        #expect(try kab.resignRevoked() == 1)
        let again = try kab.outboxChanges(all: true)
        #expect(again[1].signature?.keyID == renewed.keyID && again[0].signature?.keyID == key.keyID)
        let r2 = try prov.receive(again, sender: "32.17", source: "test", certificates: [renewed.certificateDER])
        #expect(r2.applied == 1 && r2.duplicates == 1, "\(r2.refused)")
        #expect(try prov.audit.digest(of: "32.17") == kab.audit.digest(of: "32.17"))
    }

    /// An office upgraded from before signatures: its own unsigned changes are signed and sent
    /// again, the province takes the signatures for the copies it holds, KPU RI then accepts them.
    @Test func changesFromBeforeSignaturesAreSignedByTheirOriginAndRelayed() throws {
        let pki = try PKI()
        let kab = try TestNodes.make("32.17")
        let prov = try TestNodes.make("32")
        let ri = try TestNodes.make("00")
        defer { for s in [kab, prov, ri] { TestNodes.remove(s) } }
        let id = Validation.newRecordID()
        try kab.write(
            type: .actionPlan, recordID: id, owner: "32.17",
            fields: ["area": .string("sdm"), "activity": .string("lama")],
            actor: "t")
        let old = try kab.outboxChanges()
        _ = try prov.receive(old, sender: "32.17", source: "before the upgrade")
        #expect(old[0].signature == nil)

        let key = try pki.key("32.17")
        try kab.useAuthenticity(signer: key, trust: try pki.trust)
        try prov.useAuthenticity(signer: try pki.key("32"), trust: try pki.trust)
        try ri.useAuthenticity(signer: try pki.key("00"), trust: try pki.trust)
        let unsigned = try ri.receive(try prov.outboxChanges(), sender: "32", source: "test")
        #expect(unsigned.refused.first?.reason == "change 32.17:1 is not signed by 32.17")

        #expect(try kab.resignRevoked() == 1)
        let signed = try kab.outboxChanges()
        #expect(signed.count == 1 && signed[0].signature?.keyID == key.keyID && signed[0].hash == old[0].hash)
        let again = try prov.receive(signed, sender: "32.17", source: "test", certificates: [key.certificateDER])
        #expect(again.duplicates == 1)
        let relayed = try ri.receive(
            try prov.outboxChanges(all: true), sender: "32", source: "test",
            certificates: try prov.certificates(of: ["32.17"]))
        #expect(relayed.applied == 1 && relayed.refused.isEmpty, "\(relayed.refused)")
    }

    /// A parent answering a restore with a change of this office it made up (signed by itself):
    /// nothing of the office's chain is set aside, and the made-up change is refused.
    @Test func aParentCannotMakeAnOfficeSetItsChainAside() throws {
        let pki = try PKI()
        let (kab, prov, _, mine) = try setup(pki, count: 2)
        defer { TestNodes.remove(kab); TestNodes.remove(prov) }
        let provKey = try pki.key("32")
        var fields = mine[0].fields
        fields["activity"] = .string("dibuat provinsi")
        let madeUp = Change(
            origin: "32.17", seq: 1, hlc: mine[0].hlc, recordType: mine[0].recordType, recordID: mine[0].recordID,
            owner: "32.17", fields: fields, base: [:], actor: "provinsi", prev: nil)
        for forged in [madeUp, madeUp.signed(provKey.sign(hash: madeUp.hash))] {
            let r = try kab.ledger.receiveRestored(
                [forged], from: "32", certificates: [provKey.certificateDER], cursor: 1, database: "x")
            #expect(r.refused.count == 1 && r.applied == 0, "\(r.refused)")
        }
        #expect(try kab.ledger.forkedChanges().waiting == 0)
        #expect(try kab.outboxChanges(all: true).map(\.hash) == mine.map(\.hash), "the office's chain is untouched")
    }

    @Test func aForkedOwnChainIsSetAsideAndWrittenAgainOnTop() throws {
        let pki = try PKI()
        let (parentCopy, prov, key, theirs) = try setup(pki, count: 2)
        defer { TestNodes.remove(parentCopy); TestNodes.remove(prov) }
        _ = try prov.receive(theirs, sender: "32.17", source: "test", certificates: [key.certificateDER])
        // The same office re-installed: three changes of its own, seq 1 to 3, none the parent's.
        let kab = try TestNodes.make("32.17")
        defer { TestNodes.remove(kab) }
        try kab.useAuthenticity(signer: key, trust: try pki.trust)
        let mine = Validation.newRecordID()
        for i in 0..<3 {
            try kab.write(
                type: .actionPlan, recordID: mine, owner: "32.17",
                fields: ["area": .string("sdm"), "activity": .string("baru \(i)")], actor: "t")
        }
        let tips = try prov.changeLog.chainTips(subtree: "32.17")
        #expect(try kab.ledger.checkOwnChain(tips: tips.seqs, hashes: tips.hashes)?.contains("another change") == true)
        let blocked = #expect(throws: ZISyncError.self) {
            try kab.write(type: .actionPlan, recordID: mine, owner: "32.17", fields: ["progress": .int(5)], actor: "t")
        }
        #expect(blocked?.description.contains("writes nothing until") == true)
        let page = try prov.changeLog.page(for: "32.17", after: 0, limit: 5000, includingOwnChains: true)
        let changes = try page.wire.map { try ChangeDecoder.change(from: Array($0.utf8)) }
        let applied = try kab.ledger.receiveRestored(
            changes, from: "32", certificates: [key.certificateDER], cursor: page.next, database: "x")
        #expect(applied.refused.isEmpty, "\(applied.refused)")
        #expect(try kab.records.get(mine) == nil, "the forked record is gone until written again")
        let done = try kab.ledger.finishRestore(tips: tips.seqs, hashes: tips.hashes)
        #expect(done.rewritten == 3 && done.refused.isEmpty)
        let chain = try kab.outboxChanges(all: true)
        #expect(chain.map(\.seq) == [1, 2, 3, 4, 5] && chain[0].hash == theirs[0].hash)
        #expect(try kab.records.get(mine)?.string("activity") == "baru 2")
        #expect(try kab.ledger.state().recovery == nil && kab.ledger.acknowledged()["32.17"] == 2)
        let pushed = try prov.receive(Array(chain[2...]), sender: "32.17", source: "test")
        #expect(pushed.applied == 3 && pushed.refused.isEmpty, "\(pushed.refused)")
    }
}
