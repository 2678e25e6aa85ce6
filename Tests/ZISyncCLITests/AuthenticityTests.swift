import Foundation
import Testing
import ZISyncAuthenticity
import ZISyncCore
import ZISyncFaultProxy
import ZISyncProtocol
import ZISyncStore
import ZISyncTestSupport
import ZISyncTransport

/// No office can write as another (docs/security.md, "Who wrote a change"): every change is
/// signed by its origin and checked by every receiver, whoever relays it and however it travels.
/// Real daemons over mutual TLS on loopback; the attackers hold real certificates of the deployment.
@Suite(.serialized, .timeLimit(.minutes(10))) struct AuthenticityTests {
    /// The changes of `origin` a node holds, as stored (signatures included).
    func chain(_ node: CLI, of origin: String) throws -> [Change] {
        let store = try Store.open(home: Home(path: node.home.path))
        return try store.outboxChanges(all: true).filter { $0.origin == origin }
    }

    @Test func aProvinceCannotInventOrAlterItsKabKotasChanges() async throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let kab = d["32.17"]
        let plan = try kab.ok(["plan", "add", "--area", "1", "--activity", "Asli"])
        try kab.ok(["sync"])
        let genuine = try #require(try chain(d["32"], of: "32.17").first)
        #expect(genuine.signature != nil, "relayed with its origin's signature")

        // The province alters the change it relays (the hash made to match), keeping the signature.
        var fields = genuine.fields
        fields["activity"] = .string("Diubah provinsi")
        let altered = Change(
            origin: genuine.origin, seq: genuine.seq, hlc: genuine.hlc, recordType: genuine.recordType,
            recordID: genuine.recordID, owner: genuine.owner, fields: fields, base: genuine.base, actor: genuine.actor,
            prev: genuine.prev
        ).signed(genuine.signature)
        // And it invents the kab/kota's next change, signed with its own key.
        let invented = try d.signed(
            Change(
                origin: "32.17", seq: 2, hlc: HLC(rawValue: genuine.hlc.rawValue + 1), recordType: "action_plan",
                recordID: plan, owner: "32.17", fields: ["status": .string("selesai")], base: [:], actor: "provinsi",
                prev: genuine.hash), by: "32")
        let answer = try await d.push(
            as: "32", to: "00", [altered, invented], certificates: try d.certificates("32", "32.17"))
        #expect(answer.accepted == 0 && answer.refused.count == 2, "\(answer)")
        let reasons = Dictionary(uniqueKeysWithValues: answer.refused.map { ($0.change, $0.reason) })
        #expect(reasons["32.17:1"]?.contains("does not verify under 32.17's certificate") == true, "\(reasons)")
        #expect(reasons["32.17:2"]?.contains("claims origin 32.17 but is signed by 32") == true, "\(reasons)")

        // The real chain still goes through, and KPU RI holds exactly the kab/kota's own words.
        try d["32"].ok(["sync"])
        #expect(try d["00"].digest("32.17") == kab.digest("32.17"))
        #expect(try d["00"].ok(["plan", "show", plan]).contains("Asli"))
        #expect(try d["00"].run(["verify"]).status == 0)
    }

    @Test func aParentCannotInjectChangesAsKPURIIntoAPull() throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let kab = d["32.17"]
        try kab.ok(["sync"])
        let name = try kab.digest("00")

        // The province puts a "reference data" change of 00 into its own database, signed by itself.
        let province = try Store.open(home: Home(path: d["32"].home.path))
        let next: Int64 = 900_000  // far beyond the reference data's sequences
        let forged = try d.signed(
            Change(
                origin: "00", seq: next + 100, hlc: HLC(milliseconds: HybridClock.systemMilliseconds(), counter: 0),
                recordType: "satker", recordID: "satker:32.17", owner: "00",
                fields: ["name": .string("KPU Palsu")], base: [:], actor: "provinsi", prev: nil), by: "32")
        let stored = try province.receive([forged], sender: nil, source: "attacker")
        #expect(stored.applied == 1, "\(stored.refused)")

        let round = try kab.run(["sync", "--json"])
        let report = try round.object()
        let refused = try #require(report["refusedHere"] as? [[String: Any]], "\(round.stdout)")
        #expect(
            refused.contains {
                ($0["change"] as? String) == "00:\(next + 100)"
                    && ($0["reason"] as? String ?? "").contains("claims origin 00 but is signed by 32")
            }, "\(refused)")
        #expect(try kab.digest("00") == name, "the kab/kota's reference data is KPU RI's")
        #expect(!(try kab.ok(["status"]).contains("KPU Palsu")))
    }

    @Test func aBundleOrAReceiptCannotSpeakForAnotherOffice() throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("32", serves: true)
        let kab = try d.node("32.17", parent: "32")
        try d.node("32.18", parent: "32")
        let plan = try kab.ok(["plan", "add", "--area", "1", "--activity", "Rencana asli"])
        try kab.ok(["sync"])
        let tip = try #require(try chain(kab, of: "32.17").last)

        // Whoever hands the province a stick writes "32.17" in the header: a change marking the
        // plan done, signed by 32.18 (whose key the bearer has), and one not signed at all.
        func forge(_ name: String, signer: String?) throws -> String {
            let change = Change(
                origin: "32.17", seq: tip.seq + 1, hlc: HLC(rawValue: tip.hlc.rawValue + 1), recordType: "action_plan",
                recordID: plan, owner: "32.17", fields: ["status": .string("selesai")], base: [:], actor: "pembawa",
                prev: tip.hash)
            let url = d.dir.appendingPathComponent(name)
            let writer = try BundleFile.Writer(
                url: url,
                header: BundleFile.Header(
                    from: "32.17", to: "32", changes: 1, files: 0, certificates: try d.certificates("32.18")))
            try writer.change(try signer.map { try d.signed(change, by: $0) }?.wireJSON ?? change.wireJSON)
            try writer.finish()
            return url.path
        }
        for (file, reason) in [
            (try forge("palsu-1.zisync", signer: "32.18"), "claims origin 32.17 but is signed by 32.18"),
            (try forge("palsu-2.zisync", signer: nil), "is not signed by 32.17"),
        ] {
            let r = try d["32"].run(["bundle", "import", file, "--json"])
            #expect(r.status == 4, "\(r.stdout)")
            #expect(r.stdout.contains(reason), "\(r.stdout)")
        }
        #expect(!(try d["32"].ok(["plan", "show", plan]).contains("selesai")))

        // The real office is not wedged: its own next change goes through.
        try kab.ok(["plan", "set", plan, "status=berjalan"])
        let round = try kab.object("sync")
        #expect(round["pushed"] as? Int == 1 && (round["refused"] as? [Any])?.isEmpty == true, "\(round)")

        // A receipt claiming the province holds everything: unsigned, or signed by the office itself.
        try kab.ok(["plan", "add", "--area", "2", "--activity", "Belum terkirim"])
        var receipt = BundleReceipt(from: "32", for: "32.17", tips: ["32.17": 999], files: [])
        let unsigned = d.dir.appendingPathComponent("tanda-terima-1.json")
        try receipt.write(to: unsigned)
        receipt.certificate = Certificates.base64(try d.certificates("32.17")).first
        receipt.signature = try d.key("32.17").sign(receipt.signedBytes)
        let selfSigned = d.dir.appendingPathComponent("tanda-terima-2.json")
        try receipt.write(to: selfSigned)
        for (file, reason) in [(unsigned, "not signed by 32"), (selfSigned, "signed by 32.17")] {
            let r = try kab.run(["bundle", "ack", file.path])
            #expect(r.status != 0 && r.stderr.contains(reason), "\(r.stderr)")
        }
        #expect(try kab.object("status")["pendingChanges"] as? Int == 1, "nothing marked as delivered")

        // A receipt the province really made is believed.
        let out = d.dir.appendingPathComponent("kirim.zisync").path
        try kab.ok(["bundle", "export", "--out", out])
        let real = d.dir.appendingPathComponent("tanda-terima-asli.json").path
        try d["32"].ok(["bundle", "import", out, "--receipt", real])
        try kab.ok(["bundle", "ack", real])
        #expect(try kab.object("status")["pendingChanges"] as? Int == 0)
    }

    @Test func aRevokedCertificateIsRefusedAtTheDoorAndANewOneWorks() throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("00", serves: true)
        try d.node("32", parent: "00", serves: true)
        // The province reaches KPU RI through a line of the test's own, so that the revocation
        // reaches it when the test says (its daemon's own rounds would otherwise race the test).
        let up = try FaultProxy(target: d.daemons["00"]!.port)
        defer { up.close() }
        try d["32"].setParent("https://127.0.0.1:\(up.port)")
        try d.restart("32")
        let kab = try d.node("32.17", parent: "32")
        try kab.ok(["plan", "add", "--area", "1", "--activity", "Sebelum pencabutan"])
        try kab.ok(["sync"])
        try d["32"].ok(["sync"])
        up.mode = .cutAfter(0)  // from here the province hears nothing from KPU RI until the relay below

        let revoked = try d["00"].run([
            "pki", "revoke", "--dir", d.pki, "--satker", "32.17", "--reason", "laptop dicuri",
        ])
        #expect(revoked.status == 0, "\(revoked.stderr)")
        #expect(try d["32"].run(["pki", "revoke", "--dir", d.pki, "--satker", "32.17"]).status != 0, "only 00")

        // Before the revocation reaches the province, the stolen key writes and the province relays it.
        let stolen = try kab.ok(["plan", "add", "--area", "2", "--activity", "Ditulis pencuri"])
        try kab.ok(["sync"])
        up.mode = .forward
        let relay = try d["32"].run(["sync", "--json"])
        let refusals = try #require(try relay.object()["refused"] as? [[String: Any]], "\(relay.stdout)")
        #expect(
            refusals.contains { ($0["reason"] as? String ?? "").contains("revoked before the change was made") },
            "KPU RI refuses it: \(refusals)")
        #expect(try d["00"].run(["plan", "show", stolen]).status != 0)

        // The revocation came down with that pull: the province's door now refuses the certificate.
        let door = try kab.run(["sync", "--json"])
        #expect(door.status == 1, "\(door.stdout)")
        let problem = try #require(try door.object()["problem"] as? [String: Any], "\(door.stdout)")
        #expect(problem["cause"] as? String == "revoked", "\(problem)")
        #expect((problem["advice"] as? String ?? "").contains("pki issue"), "\(problem)")

        // KPU RI issues a new certificate; the office installs it and works again. Old changes,
        // signed before the revocation and before this rotation, still verify at a fresh node.
        try CLI.tool(["pki", "issue", "--dir", d.pki, "--satker", "32.17"])
        for (source, name) in [("32.17.crt", "node.crt"), ("32.17.key", "node.key")] {
            let target = kab.home.appendingPathComponent("tls/\(name)")
            try FileManager.default.removeItem(at: target)
            try FileManager.default.copyItem(atPath: "\(d.pki)/\(source)", toPath: target.path)
        }
        let after = try kab.ok(["plan", "add", "--area", "3", "--activity", "Sertifikat baru"])
        let round = try kab.object("sync")
        #expect(round["pushed"] as? Int == 1, "\(round)")
        try d["32"].ok(["sync"])
        #expect(try d["00"].ok(["plan", "show", after]).contains("Sertifikat baru"))

        let fresh = CLI(home: d.dir.appendingPathComponent("pemulihan-32"))
        try FileManager.default.copyItem(atPath: "\(d.pki)/32.crt", toPath: "\(d.pki)/32-copy.crt")
        let restore = try fresh.run([
            "init", "--satker", "32", "--pki", d.pki, "--parent", d.daemons["00"]!.url, "--restore",
        ])
        #expect(restore.status == 0, "\(restore.stderr)")
        #expect(try fresh.digest("32.17") == d["00"].digest("32.17"), "every 32.17 change still verifies")
    }
}
