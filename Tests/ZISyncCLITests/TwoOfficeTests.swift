import Foundation
import GRDB
import Testing
import ZISyncCore
import ZISyncProtocol
import ZISyncStore
import ZISyncTestSupport

/// A kab/kota (32.17) and its province (32), linked by bundles on a "USB stick".
@Suite(.timeLimit(.minutes(10))) struct TwoOfficeTests {
    let kab = CLI("kab")
    let prov = CLI("prov")
    let stick = FileManager.default.temporaryDirectory.appendingPathComponent("zisync-usb-\(UUID().uuidString)")

    init() throws {
        try FileManager.default.createDirectory(at: stick, withIntermediateDirectories: true)
        try kab.ok("init", "--satker", "32.17")
        try prov.ok("init", "--satker", "32")
    }

    func cleanup() {
        kab.cleanup()
        prov.cleanup()
        try? FileManager.default.removeItem(at: stick)
    }

    /// Carries the kab/kota's bundle to the province; returns the import's JSON.
    @discardableResult
    func carry(expect status: Int32 = 0) throws -> [String: Any] {
        let file = stick.appendingPathComponent("32.17.zisync").path
        try kab.ok("bundle", "export", "--out", file)
        let r = try prov.run(["bundle", "import", file, "--json"])
        #expect(r.status == status, "\(r.stderr)")
        return try r.object()
    }

    @Test func concurrentEditsConflictAndBothValuesStayInHistory() throws {
        defer { cleanup() }
        let id = try kab.ok("plan", "add", "--area", "2", "--activity", "Penyusunan SOP", "--target", "10 SOP")
        try carry()
        // The province corrects the target while the kab/kota, offline, edits the same field.
        try prov.ok("plan", "set", id, "target=12 SOP", "--actor", "verifikator-prov")
        usleep(5000)
        try kab.ok("plan", "set", id, "target=11 SOP", "--actor", "operator-kab")
        try carry()
        let conflicts = try prov.objects("conflicts")
        #expect(conflicts.count == 1)
        let values = try #require(conflicts.first?["values"] as? [[String: Any]])
        #expect(conflicts[0]["field"] as? String == "target")
        #expect(values.count == 2)
        #expect(
            values.first { $0["winner"] as? Bool == true }?["value"] as? String == "11 SOP", "the later writer wins")
        #expect(Set(values.compactMap { $0["actor"] as? String }) == ["verifikator-prov", "operator-kab"])
        let shown = try prov.object("plan", "show", id)
        #expect(shown["target"] as? String == "11 SOP")
        let history = try prov.objects("history", id).filter { $0["field"] as? String == "target" }
        #expect(history.map { $0["value"] as? String } == ["10 SOP", "12 SOP", "11 SOP"])
        #expect(history.map { $0["origin"] as? String } == ["32.17", "32", "32.17"])
        #expect(history.map { $0["outcome"] as? String } == ["superseded", "conflicting", "current"])
        // A value that is not one of the conflict's is refused by number; nothing is written.
        let wrong = try prov.run(["conflicts", "resolve", String(id.prefix(8)), "target", "2"])
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("numbered 0 to 1; 2 is not one of them"), "\(wrong.stderr)")
        #expect(try prov.objects("conflicts").count == 1)
        // Keeping the losing value (number 1, the province's) writes it again and closes the conflict.
        let kept = try prov.object("conflicts", "resolve", String(id.prefix(8)), "target", "1")
        #expect(kept["value"] as? String == "12 SOP")
        #expect(try prov.objects("conflicts").isEmpty)
        #expect(try prov.object("plan", "show", id)["target"] as? String == "12 SOP")
    }

    @Test func reviewReportDigestAndVerify() throws {
        defer { cleanup() }
        let done = try kab.ok("plan", "add", "--area", "1", "--activity", "SK Tim Kerja", "--deadline", "2026-01-31")
        try kab.ok("plan", "set", done, "status=selesai", "progress=100")
        try kab.ok("plan", "add", "--area", "1", "--activity", "Monev triwulan I", "--deadline", "2026-04-30")
        try kab.ok("plan", "add", "--area", "6", "--activity", "Maklumat pelayanan", "--deadline", "2027-01-31")
        let scan = CLI.tempFile("sk.pdf")
        defer { try? FileManager.default.removeItem(at: scan) }
        try Data("SK Tim Kerja ZI".utf8).write(to: scan)
        try kab.ok("evidence", "add", "--plan", done, scan.path, "--kind", "sk")
        let own = try kab.run(["review", "plan", done, "--verdict", "disetujui"])
        #expect(own.status == 1 && own.stderr.contains("only an office above 32.17"))
        let imported = try carry()
        #expect(imported["applied"] as? Int == 5 && imported["files_stored"] as? Int == 1)
        try prov.ok("review", "plan", done, "--verdict", "disetujui", "--note", "Lengkap")
        let badVerdict = try prov.run(["review", "plan", done, "--verdict", "bagus"])
        #expect(badVerdict.status == 1 && badVerdict.stderr.contains("verdict"))

        let report = try prov.objects("report", "--today", "2026-06-01")
        let mp = try #require(
            report.first { $0["satker"] as? String == "32.17" && $0["area"] as? String == "manajemen-perubahan" })
        #expect(mp["plans"] as? Int == 2 && mp["done"] as? Int == 1 && mp["overdue"] as? Int == 1)
        #expect(mp["evidence"] as? Int == 1 && mp["disetujui"] as? Int == 1)
        let csv = try prov.ok("report", "--csv", "--today", "2026-06-01")
        #expect(csv.contains("32.17,pelayanan-publik,1,0,0,0,0,0,0,0"))

        let kabDigest = try kab.object("digest")
        let provDigest = try prov.object("digest", "--satker", "32.17")
        let provOwn = try prov.object("digest")["digest"] as? String
        #expect(kabDigest["digest"] as? String != nil && kabDigest["digest"] as? String != provOwn)
        // The province's review is owned by 32.17 but has not reached the kab/kota (bundles go up).
        #expect(provDigest["records"] as? Int == (kabDigest["records"] as? Int).map { $0 + 1 })
        #expect(try prov.ok("verify").hasPrefix("ok"))

        // An edit behind zisync's back: verify exits 3 and names the change.
        let db = try DatabaseQueue(path: prov.home.appendingPathComponent("zisync.db").path)
        try db.write {
            try $0.execute(sql: "UPDATE change_log SET actor = 'someone else' WHERE origin = '32.17' AND seq = 2")
        }
        try db.close()
        let verify = try prov.run(["verify"])
        #expect(verify.status == 3)
        #expect(verify.stdout.contains("change 32.17:2"))
    }

    @Test func bundlesConvergeAndRefuseWhatTheyMust() throws {
        defer { cleanup() }
        for i in 1...5 {
            try kab.ok("plan", "add", "--area", "\(i)", "--activity", "Kegiatan \(i)")
        }
        let first = try carry()
        #expect(first["applied"] as? Int == 5 && (first["refused"] as? [Any])?.isEmpty == true)
        #expect(try kab.ok("digest") == prov.ok("digest", "--satker", "32.17"))
        // The same bundle twice changes nothing.
        let digestBefore = try prov.ok("digest")
        let second = try carry()
        #expect(second["applied"] as? Int == 0 && second["duplicates"] as? Int == 5)
        #expect(try prov.ok("digest") == digestBefore)

        // A bundle from a kab/kota of another province is refused whole.
        let other = CLI("other")
        defer { other.cleanup() }
        try other.ok("init", "--satker", "33.01")
        try other.ok("plan", "add", "--area", "1", "--activity", "Bukan urusan Jawa Barat")
        let foreign = stick.appendingPathComponent("33.01.zisync").path
        try other.ok("bundle", "export", "--out", foreign)
        let refused = try prov.run(["bundle", "import", foreign])
        #expect(refused.status == 1 && refused.stderr.contains("not an office below this node (32)"))
        #expect(try prov.ok("digest") == digestBefore)

        // A bundle with forged changes applies the rest and reports each forged one.
        try kab.ok("plan", "add", "--area", "6", "--activity", "Survei kepuasan")
        let kabStore = try Store.open(home: Home(path: kab.home.path))
        var changes = try kabStore.outboxChanges()
        let tip = try #require(changes.last)
        // 32.17 writing a record owned by 32.18: inside its chain, refused by the write rules.
        changes.append(
            Change(
                origin: "32.17", seq: tip.seq + 1, hlc: HLC(rawValue: tip.hlc.rawValue + 1), recordType: "action_plan",
                recordID: Validation.newRecordID(), owner: "32.18", fields: ["activity": .string("forged")], base: [:],
                actor: "mallory", prev: tip.hash))
        // A change claiming to come from 32.18, carried in 32.17's bundle.
        changes.append(
            Change(
                origin: "32.18", seq: 1, hlc: HLC(rawValue: tip.hlc.rawValue + 2), recordType: "action_plan",
                recordID: Validation.newRecordID(), owner: "32.18",
                fields: ["activity": .string("forged"), "area": .string("sdm")], base: [:], actor: "mallory", prev: nil)
        )
        let forgedFile = stick.appendingPathComponent("forged.zisync")
        let writer = try BundleFile.Writer(
            url: forgedFile, header: BundleFile.Header(from: "32.17", to: "32", changes: changes.count, files: 0))
        for c in changes { try writer.change(c.wireJSON) }
        try writer.finish()
        let forged = try prov.run(["bundle", "import", forgedFile.path, "--json"])
        #expect(forged.status == 4)
        let result = try forged.object()
        let reasons = try #require(result["refused"] as? [[String: Any]]).compactMap { $0["reason"] as? String }
        #expect(result["applied"] as? Int == 1 && result["duplicates"] as? Int == 5)
        #expect(reasons.count == 2)
        #expect(reasons.contains { $0.contains("may not write a record owned by 32.18") })
        #expect(reasons.contains { $0.contains("outside the subtree of the sender 32.17") })
        #expect(try kab.ok("digest") == prov.ok("digest", "--satker", "32.17"))

        // A truncated copy is refused before anything is applied.
        let data = try Data(contentsOf: forgedFile)
        try data.prefix(data.count - 10).write(to: forgedFile)
        let truncated = try prov.run(["bundle", "import", forgedFile.path])
        #expect(truncated.status == 1 && truncated.stderr.contains("incomplete"))
    }

    @Test func receiptsLetTheNextBundleCarryOnlyWhatTheParentLacks() throws {
        defer { cleanup() }
        let plan = try kab.ok("plan", "add", "--area", "4", "--activity", "Perjanjian kinerja")
        let scan = CLI.tempFile("pk.pdf")
        defer { try? FileManager.default.removeItem(at: scan) }
        try Data(repeating: 7, count: 300_000).write(to: scan)
        try kab.ok("evidence", "add", "--plan", plan, scan.path)
        let file = stick.appendingPathComponent("32.17.zisync").path
        let receipt = stick.appendingPathComponent("receipt.json").path
        let first = try kab.object("bundle", "export", "--out", file)
        #expect(first["changes"] as? Int == 2 && first["files"] as? Int == 1)
        try prov.ok("bundle", "import", file, "--receipt", receipt)
        // A receipt is only for the office it names.
        let other = CLI("other")
        defer { other.cleanup() }
        try other.ok("init", "--satker", "32.18")
        let wrong = try other.run(["bundle", "ack", receipt])
        #expect(wrong.status == 1 && wrong.stderr.contains("not for this node (32.18)"))
        #expect(try kab.ok("bundle", "ack", receipt).contains("32.17:2"))

        try kab.ok("plan", "set", plan, "status=selesai")
        let second = try kab.object("bundle", "export", "--out", file)
        #expect(second["changes"] as? Int == 1 && second["files"] as? Int == 0, "nothing the parent has is re-sent")
        let imported = try prov.object("bundle", "import", file)
        #expect(imported["applied"] as? Int == 1 && imported["files_missing"] as? Int == 0)
        let everything = try kab.object("bundle", "export", "--out", file, "--all")
        #expect(everything["changes"] as? Int == 3 && everything["files"] as? Int == 1)
        #expect(try kab.ok("digest") == prov.ok("digest", "--satker", "32.17"))
    }
}
