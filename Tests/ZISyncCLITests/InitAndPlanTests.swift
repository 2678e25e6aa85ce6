import Foundation
import Testing

@Suite(.timeLimit(.minutes(10))) struct InitAndPlanTests {
    @Test func initRefusesAnUnknownSatker() throws {
        let node = CLI("init")
        defer { node.cleanup() }
        let bad = try node.run(["init", "--satker", "99.99"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("unknown satker code '99.99'"))
        #expect(try node.ok("init", "--satker", "32.17").contains("KPU Kabupaten Bandung Barat"))
        let again = try node.run(["init", "--satker", "32.17"])
        #expect(again.status == 1 && again.stderr.contains("already holds a zisync node"))
        let lke = try node.objects("lke", "list", "--area", "2")
        #expect(lke.count > 10 && lke.allSatisfy { $0["area"] as? String == "tatalaksana" })
    }

    @Test func planLifecycle() throws {
        let node = CLI("plan")
        defer { node.cleanup() }
        try node.ok("init", "--satker", "32.17")
        let id = try node.ok(
            "plan", "add", "--area", "1", "--activity", "Rapat pembentukan Tim Kerja", "--lke", "A.I.1.i.a",
            "--deadline", "2026-03-31", "--pic", "Sekretaris")
        #expect(id.count == 36)
        let unknownCode = try node.run(["plan", "add", "--area", "1", "--activity", "x", "--lke", "A.I.9.z"])
        #expect(unknownCode.status == 1 && unknownCode.stderr.contains("unknown LKE code 'A.I.9.z'"))
        let badValue = try node.run(["plan", "set", id, "progress=lots"])
        #expect(badValue.status == 1 && badValue.stderr.contains("progress"))
        let badField = try node.run(["plan", "set", id, "colour=red"])
        #expect(badField.status == 1 && badField.stderr.contains("unknown field 'colour'"))
        try node.ok("plan", "set", id, "status=berjalan", "progress=40")
        let shown = try node.object("plan", "show", String(id.prefix(8)))
        #expect(shown["status"] as? String == "berjalan" && shown["progress"] as? Int == 40)
        #expect(shown["satker"] as? String == "32.17")
        let listed = try node.objects("plan", "list", "--area", "manajemen-perubahan")
        #expect(listed.count == 1 && listed[0]["id"] as? String == id)
        #expect(try node.objects("plan", "list", "--area", "sdm").isEmpty)

        let history = try node.objects("history", id)
        let statuses = history.filter { $0["field"] as? String == "status" }
        #expect(statuses.map { $0["value"] as? String } == ["draft", "berjalan"])
        #expect(statuses.map { $0["outcome"] as? String } == ["superseded", "current"])
        #expect(statuses.allSatisfy { $0["origin"] as? String == "32.17" && $0["actor"] as? String == "tester" })
        #expect(statuses.map { $0["seq"] as? Int } == [1, 2])

        try node.ok("plan", "delete", id)
        #expect(try node.objects("plan", "list").isEmpty)
        #expect(try node.ok("verify").hasPrefix("ok: 755 changes"))
    }

    @Test func evidenceRoundTripsByteForByte() throws {
        let node = CLI("evidence")
        defer { node.cleanup() }
        try node.ok("init", "--satker", "32.17")
        let plan = try node.ok("plan", "add", "--area", "sdm", "--activity", "Analisis beban kerja")
        var bytes = [UInt8](repeating: 0, count: 5 * 1024 * 1024)
        var rng = SystemRandomNumberGenerator()
        for i in stride(from: 0, to: bytes.count, by: 8) {
            withUnsafeBytes(of: rng.next()) {
                for (j, b) in $0.enumerated() where i + j < bytes.count { bytes[i + j] = b }
            }
        }
        let source = CLI.tempFile("scan.pdf")
        let out = CLI.tempFile("out.pdf")
        defer {
            try? FileManager.default.removeItem(at: source)
            try? FileManager.default.removeItem(at: out)
        }
        try Data(bytes).write(to: source)
        let added = try node.object("evidence", "add", "--plan", plan, source.path, "--kind", "sk")
        #expect(added["size"] as? Int == bytes.count && added["mime"] as? String == "application/pdf")
        let id = try #require(added["id"] as? String)
        try node.ok("evidence", "add", "--plan", plan, source.path, "--title", "same file again")
        try node.ok("evidence", "get", id, "--out", out.path)
        #expect(try Data(contentsOf: out) == Data(bytes))
        let stored = try FileManager.default.subpathsOfDirectory(atPath: node.home.appendingPathComponent("files").path)
            .filter { $0.count > 60 && !$0.hasPrefix("tmp") }
        #expect(stored.count == 1, "the same content is stored once")
        let listed = try node.objects("evidence", "list", "--plan", plan)
        #expect(listed.count == 2 && listed.allSatisfy { $0["file_present"] as? Bool == true })
        let missing = try node.run(["evidence", "add", "--plan", plan, "/nonexistent.pdf"])
        #expect(missing.status == 1 && missing.stderr.contains("/nonexistent.pdf"))
    }

    @Test func csvImportIsAllOrNothingAndNamesTheBadLine() throws {
        let node = CLI("csv")
        defer { node.cleanup() }
        try node.ok("init", "--satker", "32.17")
        let sheet = CLI.tempFile("rencana-aksi.csv")
        defer { try? FileManager.default.removeItem(at: sheet) }
        let good = """
            area,kode_lke,kegiatan,output,target,tenggat,penanggung_jawab,status,progres
            1,A.I.1.i.a,Pembentukan Tim Kerja ZI,SK Tim Kerja,1 SK,2026-01-31,Sekretaris,selesai,100
            pengawasan,A.I.5.i.a,"Sosialisasi larangan gratifikasi, seluruh pegawai",Laporan,1 kegiatan,2026-02-28,Kasubbag Hukum,berjalan,50%

            """
        let bad = good + "sdm,,Analisis beban kerja,Dokumen ABK,1 dokumen,31/12/2026,Kasubbag SDM,draft,0\n"
        try bad.write(to: sheet, atomically: true, encoding: .utf8)
        let refused = try node.run(["plan", "import", sheet.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("line 4"), "\(refused.stderr)")
        #expect(refused.stderr.contains("tenggat"))
        #expect(try node.objects("plan", "list").isEmpty, "nothing from that file is applied")

        try good.write(to: sheet, atomically: true, encoding: .utf8)
        let imported = try node.object("plan", "import", sheet.path)
        #expect(imported["created"] as? Int == 2)
        let plans = try node.objects("plan", "list")
        #expect(
            Set(plans.compactMap { $0["activity"] as? String }).contains(
                "Sosialisasi larangan gratifikasi, seluruh pegawai"))

        // Export, edit one cell, import again: one update, one unchanged.
        // The list is written by hand for speed, in exactly Foundation's layout.
        let listed = try node.run(["plan", "list", "--json"]).stdout
        let parsed = try JSONSerialization.jsonObject(with: Data(listed.utf8))
        let foundation = try JSONSerialization.data(withJSONObject: parsed, options: [.prettyPrinted, .sortedKeys])
        #expect(listed == String(decoding: foundation, as: UTF8.self) + "\n")

        let exported = try node.ok("plan", "export")
        #expect(exported.hasPrefix("id,satker,area,kode_lke,kegiatan"))
        try exported.replacingOccurrences(of: ",berjalan,50,", with: ",selesai,100,")
            .write(to: sheet, atomically: true, encoding: .utf8)
        let second = try node.object("plan", "import", sheet.path)
        #expect(second["created"] as? Int == 0 && second["updated"] as? Int == 1 && second["unchanged"] as? Int == 1)
    }

    @Test func monevReports() throws {
        let node = CLI("monev")
        defer { node.cleanup() }
        try node.ok("init", "--satker", "11")
        let id = try node.ok(
            "monev", "add", "--period", "2026-TW1", "--date", "2026-03-30", "--leadership", "--summary",
            "8 dari 10 kegiatan selesai")
        let listed = try node.objects("monev", "list")
        #expect(listed.count == 1 && listed[0]["id"] as? String == id)
        #expect(listed[0]["leadership_involved"] as? Bool == true && listed[0]["satker"] as? String == "11")
        let bad = try node.run(["monev", "add", "--period", "2026-TW2", "--date", "2026-13-01"])
        #expect(bad.status == 1 && bad.stderr.contains("date"))
    }
}
