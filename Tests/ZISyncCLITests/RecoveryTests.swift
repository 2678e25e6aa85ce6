import Foundation
import Testing

/// Recovery (docs/operations.md): a parent restored from an older backup loses nothing for long.
/// Its children believe what it now says it holds (the tips on every last pull page), not what it
/// once acknowledged, and send again what it lacks, files included.
@Suite(.serialized, .timeLimit(.minutes(10))) struct RecoveryTests {
    /// Copies a stopped node's home (the operator's backup, or putting it back).
    func copyHome(_ from: URL, to: URL) throws {
        try? FileManager.default.removeItem(at: to)
        try? FileManager.default.removeItem(at: from.appendingPathComponent("control.sock"))
        try FileManager.default.copyItem(at: from, to: to)
    }

    @Test func aProvinceRestoredFromAnOlderBackupGetsEverythingBackFromItsChildren() throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let kab = d["32.17"]
        let first = try kab.ok(["plan", "add", "--area", "1", "--activity", "Sebelum cadangan"])
        try kab.ok(["evidence", "add", "--plan", first, try d.file("lama.pdf", bytes: 120_000, seed: 3).path])
        try kab.ok(["sync"])

        // Last week's backup of the province.
        let backup = d.dir.appendingPathComponent("backup-32")
        d.daemons["32"]!.stop()
        try copyHome(d["32"].home, to: backup)
        try d.restart("32")

        let second = try kab.ok(["plan", "add", "--area", "2", "--activity", "Sesudah cadangan"])
        let newer = try d.file("baru.pdf", bytes: 300_000, seed: 8)
        try kab.ok(["evidence", "add", "--plan", second, newer.path])
        try kab.ok(["sync"])
        #expect(try d["32"].digest("32.17") == kab.digest("32.17"))

        // The province's disk is restored from that backup: it lost the second plan and its file.
        d.daemons["32"]!.stop()
        try copyHome(backup, to: d["32"].home)
        try d.restart("32")
        #expect(try d["32"].digest("32.17") != kab.digest("32.17"))

        // The restored province reviews the first plan before the kab/kota's next round: that
        // review's arrival number lies below the kab/kota's old cursor, so only a pull that starts
        // again finds it.
        try d["32"].ok(["review", "plan", first, "--verdict", "perlu-revisi"])

        // The kab/kota's next round sees it and sends again, with no operator touching it.
        let round = try kab.object("sync")
        #expect(round["parentLostData"] as? Bool == true, "\(round)")
        #expect((round["pushed"] as? Int ?? 0) >= 2 && (round["filesUploaded"] as? Int ?? 0) >= 1, "\(round)")
        #expect(try d["32"].digest("32.17") == kab.digest("32.17"))
        let evidence = try d["32"].objects("evidence", "list")
        #expect(evidence.count == 2 && evidence.allSatisfy { $0["file_present"] as? Bool == true }, "\(evidence)")
        let calm = try kab.object("sync")
        #expect(calm["parentLostData"] as? Bool == false && calm["pushed"] as? Int == 0, "\(calm)")
        #expect(
            try kab.ok(["plan", "show", first]).contains("perlu-revisi"), "the review made after the restore came down")

        // A new province change reaches the kab/kota, although its pull cursor was beyond the
        // restored province's arrivals.
        try d["32"].ok(["review", "plan", second, "--verdict", "disetujui"])
        try kab.ok(["sync"])
        #expect(try kab.ok(["plan", "show", second]).contains("disetujui"))
        #expect(try kab.run(["verify"]).status == 0 && d["32"].run(["verify"]).status == 0)
    }

    /// A province reinstalled from nothing (a new database at the same address): its children
    /// see another database, restart their cursors and send everything again, files included.
    @Test func aReinstalledParentIsAnotherDatabaseAndGetsEverythingAgain() throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let kab = d["32.17"]
        for i in 1...3 {
            let plan = try kab.ok(["plan", "add", "--area", "\(i)", "--activity", "Rencana \(i)"])
            try kab.ok([
                "evidence", "add", "--plan", plan, try d.file("bukti-\(i).pdf", bytes: 50_000 * i, seed: i).path,
            ])
        }
        try kab.ok(["sync"])

        d.daemons["32"]!.stop()
        try FileManager.default.removeItem(at: d["32"].home)
        try d["32"].ok([
            "init", "--satker", "32", "--pki", d.pki, "--parent", d.daemons["00"]!.url, "--listen", "127.0.0.1:0",
        ])
        try d.restart("32")
        #expect(try d["32"].digest("32.17").hasSuffix("(0 records)"))

        let round = try kab.object("sync")
        #expect(round["parentLostData"] as? Bool == true && round["filesUploaded"] as? Int == 3, "\(round)")
        #expect(try d["32"].digest("32.17") == kab.digest("32.17"))
        #expect(try d["32"].objects("evidence", "list").allSatisfy { $0["file_present"] as? Bool == true })
        let status = try kab.object("status")
        #expect(status["pendingChanges"] as? Int == 0 && status["pendingFiles"] as? Int == 0, "\(status)")
    }

    /// `zisync backup` while the daemon serves: the copy is a whole node (verify clean, the same
    /// digest, files byte for byte, its config and certificates), and an existing backup is never
    /// overwritten.
    @Test func aBackupTakenWhileTheDaemonRunsIsAWholeNode() throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("32", serves: true)
        let kab = try d.node("32.17", parent: "32")
        let plan = try kab.ok(["plan", "add", "--area", "1", "--activity", "Dicadangkan"])
        let file = try d.file("scan.pdf", bytes: 700_000, seed: 5)
        let added = try kab.object("evidence", "add", "--plan", plan, file.path)
        try kab.ok(["sync"])

        let out = d.dir.appendingPathComponent("cadangan-32")
        let summary = try d["32"].object("backup", "--out", out.path)
        #expect(summary["files"] as? Int == 1 && summary["file_bytes"] as? Int == 700_000, "\(summary)")
        #expect(d.daemons["32"]!.isRunning)
        let copy = CLI(home: out)
        #expect(try copy.run(["verify"]).status == 0)
        #expect(try copy.digest("32.17") == d["32"].digest("32.17"))
        let back = d.dir.appendingPathComponent("kembali.pdf")
        try copy.ok(["evidence", "get", try #require(added["id"] as? String), "--out", back.path])
        #expect(try Data(contentsOf: back) == Data(contentsOf: file))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("tls/node.key").path))
        let mode = try FileManager.default.attributesOfItem(atPath: out.path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o700)

        let again = try d["32"].run(["backup", "--out", out.path])
        #expect(again.status == 1 && again.stderr.contains("is not empty"), "\(again.stderr)")
    }

    /// `zisync restore` of a province's backup into a new home: a new database identity, so its
    /// kab/kota restart their cursors and send again what it lacks, files included; a restore into
    /// an existing home is refused, and one cut short leaves no half home.
    @Test func aProvinceRestoredWithTheCommandGetsEverythingBack() throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("32", serves: true)
        let kab = try d.node("32.17", parent: "32")
        let first = try kab.ok(["plan", "add", "--area", "1", "--activity", "Sebelum"])
        try kab.ok(["evidence", "add", "--plan", first, try d.file("a.pdf", bytes: 90_000, seed: 1).path])
        try kab.ok(["sync"])
        let out = d.dir.appendingPathComponent("cadangan")
        try d["32"].ok(["backup", "--out", out.path])
        let second = try kab.ok(["plan", "add", "--area", "2", "--activity", "Sesudah"])
        try kab.ok(["evidence", "add", "--plan", second, try d.file("b.pdf", bytes: 190_000, seed: 2).path])
        try kab.ok(["sync"])

        let refused = try d["32"].run(["restore", out.path])
        #expect(refused.status == 1 && refused.stderr.contains("already exists"), "\(refused.stderr)")
        d.daemons["32"]!.stop()
        try FileManager.default.removeItem(at: d["32"].home)
        let restored = try d["32"].run(["restore", out.path, "--json"])
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(!FileManager.default.fileExists(atPath: d["32"].home.appendingPathComponent("backup.json").path))
        try d.restart("32")

        let round = try kab.object("sync")
        #expect(round["parentLostData"] as? Bool == true && (round["filesUploaded"] as? Int ?? 0) >= 1, "\(round)")
        #expect(try d["32"].digest("32.17") == kab.digest("32.17"))
        #expect(try d["32"].objects("evidence", "list").allSatisfy { $0["file_present"] as? Bool == true })
        #expect(try d["32"].run(["verify"]).status == 0)
    }
}
