import Foundation
import Testing
import ZIPFoundation
import ZISyncCore
import ZISyncTestSupport

/// The LKE as the regulation's Excel workbook (issue 24), checked against an independent
/// spreadsheet: LibreOffice (Debian's `libreoffice-calc`, headless) opens the exported workbook,
/// recalculates its formulas and converts the summary sheet to CSV, whose values must equal what
/// `zisync lke score` gives for each layer.
@Suite(.serialized, .timeLimit(.minutes(10))) struct LKEWorkbookTests {
    static let soffice = "/usr/bin/soffice"
    static let missing: String? =
        FileManager.default.isExecutableFile(atPath: soffice)
        ? nil : "LibreOffice is not installed (scripts/install-deps.sh installs libreoffice-calc)"

    /// Answers drawn at random for every input code of the catalogue, about one in five left
    /// out (so that incomplete sheets, unset jumlah rows and 0/0 ratios occur), as `code,answer`.
    static func randomAnswers(_ rng: inout SeededRandom, codes: [(String, LKEAnswerType)]) -> String {
        var lines = ["code,answer"]
        for (code, type) in codes where rng.next() % 5 != 0 {
            let answer: String
            switch type {
            case .yaTidak: answer = rng.next() % 3 == 0 ? "Tidak" : "Ya"
            case .abc, .abcd, .abcde: answer = type.choices[Int(rng.next() % UInt64(type.choices.count))].answer
            case .jumlah: answer = String(rng.next() % 30)
            case .nilai04: answer = String(format: "%.2f", Double(rng.next() % 401) / 100)
            case .persen: continue
            }
            lines.append("\(code),\"\(answer)\"")
        }
        return lines.joined(separator: "\n")
    }

    /// A sheet of a workbook as LibreOffice reads and recalculates it, as text: one line a row,
    /// the cells separated by `separator` (a tab where texts hold commas).
    static func sheetText(_ xlsx: URL, sheet: Int, named: String, separator: Character, in dir: URL) throws -> String {
        let out = dir.appendingPathComponent("out-\(UUID().uuidString.prefix(8))")
        let code = separator == "\t" ? 9 : Int(separator.asciiValue ?? 44)
        let converted = try CLI.process(
            soffice,
            [
                "-env:UserInstallation=file://\(dir.path)/lo-profile", "--headless", "--convert-to",
                "csv:Text - txt - csv (StarCalc):\(code),34,76,1,,0,false,true,false,false,false,\(sheet)", "--outdir",
                out.path, xlsx.path,
            ], environment: CLI.environment)
        #expect(converted.status == 0, "\(converted.stderr)")
        let base = xlsx.deletingPathExtension().lastPathComponent
        return try String(contentsOf: out.appendingPathComponent("\(base)-\(named).csv"), encoding: .utf8)
    }

    /// The catalogue's codes that take an answer, with their types.
    static func inputCodes(_ catalogue: [LKEItem]) -> [(String, LKEAnswerType)] {
        catalogue.compactMap { item in
            guard let type = LKEAnswerType(rawValue: item.answerType), type != .persen,
                ["pertanyaan", "jumlah", "hasil"].contains(item.level)
            else { return nil }
            return (item.code, type)
        }
    }

    @Test(
        .enabled(if: missing == nil, "workbook test skipped: \(missing ?? "")"),
        arguments: [UInt64(24), 2024, 90_2021])
    func theExportedWorkbookRecalculatesInLibreOfficeToZisyncsScore(seed: UInt64) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zisync-xlsx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ri = CLI("00", in: dir)
        try ri.ok(["init", "--satker", "00"])
        let catalogue = try LKECatalogue.load()
        let codes = Self.inputCodes(catalogue)
        var rng = SeededRandom(seed: seed)
        for layer in ["unit", "tpi"] {
            let file = dir.appendingPathComponent("\(layer).csv")
            try Self.randomAnswers(&rng, codes: codes).write(to: file, atomically: true, encoding: .utf8)
            try ri.ok(["lke", "import", "--layer", layer, file.path])
            if layer == "unit" {
                try ri.ok(["lke", "answer", "A.I.1.i.a", "Ya", "--note", "SK Tim ZI, \"ditandatangani\" & <berlaku>"])
                try ri.ok(["lke", "submit"])  // the TPI assesses a submitted LKE
            }
        }
        let xlsx = dir.appendingPathComponent("lke.xlsx")
        let wrote = try ri.object("lke", "export", "--xlsx", xlsx.path)
        #expect(wrote["layers"] as? [String] == ["unit", "provinsi", "tpi"])

        // LibreOffice, with a profile of its own: recalculated, the summary sheet as CSV.
        let csv = try Self.sheetText(xlsx, sheet: 2, named: "Ringkasan", separator: ",", in: dir)
        let rows = csv.split(whereSeparator: \.isNewline).dropFirst(4).map { $0.split(separator: ",").map(String.init) }
        func figure(_ label: String, _ layer: Int) throws -> Double {
            let row = try #require(rows.first { $0.first == label }, "no row \(label) in \(csv)")
            return try #require(Double(row[layer + 1]), "\(label): \(row)")
        }
        for (i, layer) in ["unit", "provinsi", "tpi"].enumerated() {
            let score = try ri.object("lke", "score", "--layer", layer)
            for (label, key) in [
                ("Nilai total", "total"), ("Pengungkit", "pengungkit"), ("Pemenuhan", "pemenuhan"),
                ("Reform", "reform"), ("Hasil", "hasil"),
            ] {
                let want = try #require(score[key] as? Double)
                #expect(abs(try figure(label, i) - want) < 0.005, "\(layer) \(label): LibreOffice vs zisync \(want)")
            }
            let areas = try #require(score["areas"] as? [[String: Any]])
            let names = catalogue.filter { $0.level == "area" && $0.parent == "A.I" }.map(\.name)
            #expect(areas.count == 6 && names.count == 6)
            for (name, area) in zip(names, areas) {
                let want = try #require(area["score"] as? Double)
                #expect(abs(try figure(name, i) - want) < 0.005, "\(layer) \(name): LibreOffice vs zisync \(want)")
            }
        }
        if seed == 24 { print("workbook check: \(csv)") }
    }

    @Test func anExportNamesAnXLSXFileAndReplacesItWhole() throws {
        let ri = CLI("00")
        defer { ri.cleanup() }
        try ri.ok(["init", "--satker", "00"])
        let refused = try ri.run(["lke", "export", "--xlsx", ri.home.appendingPathComponent("lke.csv").path])
        #expect(refused.status != 0 && refused.stderr.contains("must name an .xlsx file"), "\(refused.stderr)")
        let file = ri.home.appendingPathComponent("lke.xlsx")
        try Data("an older file".utf8).write(to: file)
        try ri.ok(["lke", "export", "--xlsx", file.path, "--layer", "unit"])
        let bytes = try Data(contentsOf: file)
        #expect(bytes.prefix(2) == Data("PK".utf8), "a ZIP container")
        let left = try FileManager.default.contentsOfDirectory(atPath: ri.home.path).filter { $0.hasSuffix(".partial") }
        #expect(left.isEmpty, "\(left)")
    }

    /// Export, then import the workbook into another cycle: the same answers, notes and bukti
    /// dukung links; a wrong answer in a cell is named by sheet and cell and nothing is written.
    @Test func exportThenImportGivesTheSameAnswersNotesAndLinks() throws {
        let kab = CLI("32.17")
        defer { kab.cleanup() }
        try kab.ok(["init", "--satker", "32.17"])
        let plan = try kab.ok(["plan", "add", "--area", "1", "--activity", "Pembentukan tim"])
        let pdf = kab.home.appendingPathComponent("sk.pdf")
        try Data(repeating: 7, count: 2_000).write(to: pdf)
        let bukti = try kab.object("evidence", "add", "--plan", plan, "--title", "SK Tim ZI", pdf.path)
        let id = try #require(bukti["id"] as? String)
        for (code, answer, note) in [
            ("A.I.1.i.a", "Ya", "SK Nomor 12; berlaku & <ditandatangani>"), ("A.I.1.i.b", "B", ""),
            ("A.II.1.i.a.J1", "14", "angka 2026"), ("A.II.1.i.a.J2", "9", ""), ("B.I.a", "3.62", "survei"),
        ] {
            var args = ["lke", "answer", code, answer, "--cycle", "2026"]
            if !note.isEmpty { args += ["--note", note] }
            if code == "A.I.1.i.a" { args += ["--evidence", id] }
            try kab.ok(args)
        }
        let xlsx = kab.home.appendingPathComponent("lke.xlsx")
        try kab.ok(["lke", "export", "--cycle", "2026", "--layer", "unit", "--xlsx", xlsx.path])
        #expect(try kab.object("lke", "import", "--cycle", "2027", xlsx.path)["imported"] as? Int == 5)
        /// The unit layer as `lke sheet` shows it: answer, note, number of bukti dukung.
        func layer(_ cycle: String) throws -> [String: String] {
            var out: [String: String] = [:]
            for row in try kab.objects("lke", "sheet", "--cycle", cycle) {
                guard let code = row["code"] as? String else { continue }
                let answer = (row["answers"] as? [String: String])?["unit"] ?? "-"
                let note = (row["notes"] as? [String: String])?["unit"] ?? "-"
                out[code] = "\(answer) | \(note) | \(row["evidence"] as? Int ?? -1)"
            }
            return out
        }
        let (before, after) = (try layer("2026"), try layer("2027"))
        #expect(before["A.I.1.i.a"] == "Ya | SK Nomor 12; berlaku & <ditandatangani> | 1")
        #expect(before.count > 100 && before == after)

        // A wrong answer typed into the workbook: named by sheet and cell, nothing imported.
        let edited = kab.home.appendingPathComponent("salah.xlsx")
        let archive = try Archive(url: xlsx, accessMode: .read)
        var sheet = Data()
        _ = try archive.extract(try #require(archive["xl/worksheets/sheet1.xml"])) { sheet.append($0) }
        let text = String(decoding: sheet, as: UTF8.self).replacingOccurrences(
            of: "<t xml:space=\"preserve\">B</t>", with: "<t xml:space=\"preserve\">F</t>")
        try Self.workbook(edited, replacing: ["xl/worksheets/sheet1.xml": Data(text.utf8)], from: xlsx)
        let refused = try kab.run(["lke", "import", "--cycle", "2028", edited.path])
        #expect(refused.status != 0, "\(refused.stdout)")
        // Every problem at once: the answer (row 7 is A.I.1.i.b) and the komponen B's code cell.
        #expect(refused.stderr.contains("sheet 'LKE', cell J7: 'F' is not a abc answer"), "\(refused.stderr)")
        #expect(refused.stderr.contains("cell I195: 'F' is not an LKE code"), "\(refused.stderr)")
        #expect(try layer("2028")["A.I.1.i.a"] == "- | - | 0", "nothing was imported")
    }

    static let fuzzFinding = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/seeds/FuzzWorkbook/regresi-memori-zipfoundation.xlsx")

    /// A copy of the workbook at `from` with some parts replaced or added.
    static func workbook(_ url: URL, replacing: [String: Data], from: URL? = nil) throws {
        let out = try Archive(url: url, accessMode: .create)
        var done = Set<String>()
        if let from {
            let source = try Archive(url: from, accessMode: .read)
            for entry in source {
                var data = Data()
                _ = try source.extract(entry) { data.append($0) }
                let kept = replacing[entry.path] ?? data
                done.insert(entry.path)
                try out.addEntry(
                    with: entry.path, type: .file, uncompressedSize: Int64(kept.count), compressionMethod: .deflate,
                    provider: { p, n in kept.subdata(in: Int(p)..<Int(p) + n) })
            }
        }
        for (path, data) in replacing where !done.contains(path) {
            try out.addEntry(
                with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate,
                provider: { p, n in data.subdata(in: Int(p)..<Int(p) + n) })
        }
    }

    /// Hostile workbooks: each refused with a clear error, quickly and in bounded memory, and the
    /// LKE left as it was.
    @Test func hostileWorkbooksAreRefusedInBoundedTimeAndMemory() throws {
        let kab = CLI("32.17")
        defer { kab.cleanup() }
        try kab.ok(["init", "--satker", "32.17"])
        let good = kab.home.appendingPathComponent("lke.xlsx")
        try kab.ok(["lke", "export", "--layer", "unit", "--xlsx", good.path])
        func made(_ name: String, _ parts: [String: Data], base: Bool = true) throws -> String {
            let url = kab.home.appendingPathComponent(name)
            try Self.workbook(url, replacing: parts, from: base ? good : nil)
            return url.path
        }
        let header = #"<?xml version="1.0" encoding="UTF-8"?>"#
        var rows = header + #"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#
        for r in 1...1_000_000 { rows += "<row r=\"\(min(r, 1_048_576))\"/>" }
        rows += "</sheetData></worksheet>"
        let laughs =
            header + #"<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">"#
            + #"<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><workbook>&lol3;</workbook>"#
        let cases: [(String, String, String)] = [
            (
                "bom.xlsx", try made("bom.xlsx", ["xl/worksheets/sheet1.xml": Data(repeating: 0x20, count: 40 << 20)]),
                "ZIP bomb"
            ),
            (
                "entitas.xlsx", try made("entitas.xlsx", ["xl/workbook.xml": Data(laughs.utf8)]),
                "declares a DTD or entities"
            ),
            ("sejuta.xlsx", try made("sejuta.xlsx", ["xl/worksheets/sheet1.xml": Data(rows.utf8)]), "tags, more than"),
            (
                "sel.xlsx",
                try made(
                    "sel.xlsx",
                    [
                        "xl/worksheets/sheet1.xml": Data(
                            (header + "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>"
                                + String(repeating: "x", count: 100 << 20)
                                + "</t></is></c></row></sheetData></worksheet>").utf8)
                    ]), "more than 32 MB"
            ),
            ("jalur.xlsx", try made("jalur.xlsx", ["../../etc/zisync.xml": Data("<x/>".utf8)]), "outside the archive"),
            // FuzzWorkbook's findings: ZIPFoundation's in-memory reader trapped on the first; its
            // file reader looped for ever on the second, a sheet whose deflate stream never ends.
            ("fuzz.xlsx", Self.fuzzFinding.path, "not an .xlsx workbook"),
            (
                "tanpa-akhir.xlsx",
                Self.fuzzFinding.deletingLastPathComponent().appendingPathComponent("regresi-inflate-tanpa-akhir.xlsx")
                    .path,
                "is damaged"
            ),
            (
                "bukan.xlsx",
                try {
                    let url = kab.home.appendingPathComponent("bukan.xlsx")
                    try Data("code,answer\nA.I.1.i.a,Ya\n".utf8).write(to: url)
                    return url.path
                }(), "not an .xlsx workbook"
            ),
        ]
        for (name, path, reason) in cases {
            let r = try ProcessRunner.measured(
                CLI.binary.path, ["lke", "import", path, "--home", kab.home.path], environment: CLI.environment,
                timeout: .seconds(120))
            #expect(r.status != 0 && r.stderr.contains(reason), "\(name): \(r.stderr.prefix(300))")
            #expect(r.maxResidentKilobytes < 400_000, "\(name): \(r.maxResidentKilobytes) KB")
            print(
                "hostile workbook \(name): refused in \(String(format: "%.2f", r.seconds)) s, peak \(r.maxResidentKilobytes / 1024) MB"
            )
        }
        #expect(try kab.objects("lke", "sheet").allSatisfy { ($0["answers"] as? [String: String])?["unit"] == nil })
    }

    /// The web app's LKE page offers the workbook; it downloads as the CLI writes it, only to a
    /// signed-in person, and imports back to the same answers.
    @Test func theLKEPageOffersTheWorkbookForDownload() async throws {
        let net = try Deployment()
        defer { net.cleanup() }
        let kab = try net.node("32.17", web: true, start: false)
        try kab.addUser("ani", role: "tim-zi")
        try kab.ok(["lke", "answer", "A.I.1.i.a", "Ya", "--note", "SK Tim ZI"])
        try kab.ok(["lke", "answer", "B.II.a", "3,41"])
        // PortalRB's master ships for 2026: the template's answers are that cycle's.
        for (code, answer) in [("A.I.1.i.a", "Ya"), ("B.II.a", "3,41")] {
            try kab.ok(["lke", "answer", code, answer, "--cycle", "2026"])
        }
        let web = try net.start("32.17").webURL()
        let year = String(CalendarDay.thisYear())
        let stranger = WebClient(web)
        let refused = try await stranger.get("/lke/unduh.xlsx?siklus=\(year)")
        #expect(
            [302, 303].contains(refused.status) && refused.location?.hasPrefix("/masuk") == true, "\(refused.status)")
        let ani = WebClient(web)
        try await ani.login("ani", "kata-sandi-1")
        #expect(try await ani.get("/lke?siklus=\(year)").body.contains("id=\"unduh-xlsx\""))
        let file = try await ani.get("/lke/unduh.xlsx?siklus=\(year)")
        #expect(file.status == 200)
        #expect(file.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        #expect(file.headers["content-disposition"] == "attachment; filename=\"lke-32.17-\(year).xlsx\"")
        let saved = kab.home.appendingPathComponent("unduhan.xlsx")
        try file.data.write(to: saved)
        #expect(try kab.object("lke", "import", "--cycle", "2030", saved.path)["imported"] as? Int == 2)
        let back = try kab.objects("lke", "sheet", "--cycle", "2030").filter {
            ($0["answers"] as? [String: String])?["unit"] != nil
        }
        #expect(back.map { $0["code"] as? String } == ["A.I.1.i.a", "B.II.a"])
        #expect((back.last?["answers"] as? [String: String])?["unit"] == "3.41")

        // PortalRB's template of the same LKE, from the same page.
        #expect(try await ani.get("/lke?siklus=\(year)").body.contains("id=\"unduh-portalrb\""))
        let template = try await ani.get("/lke/unduh.xlsx?siklus=2026&tata=portalrb")
        #expect(template.status == 200, "\(template.status) \(template.body.prefix(200))")
        #expect(template.headers["content-disposition"] == "attachment; filename=\"portalrb-32.17-2026.xlsx\"")
        let portalrb = kab.home.appendingPathComponent("portalrb.xlsx")
        try template.data.write(to: portalrb)
        let fromTemplate = try kab.object("lke", "import", "--cycle", "2031", portalrb.path)
        #expect(fromTemplate["layout"] as? String == "portalrb" && fromTemplate["imported"] as? Int == 2)
        #expect(try await ani.get("/lke/unduh.xlsx?siklus=2019&tata=portalrb").status == 404)

        // The same workbook uploaded on the LKE page of another cycle: the same answers.
        let next = String(CalendarDay.thisYear() + 1)
        _ = try await ani.get("/lke?siklus=\(next)")
        let forged = try await ani.postFile(
            "/lke/unggah", [("siklus", next)], file: ("berkas", "lke.xlsx", file.data), csrf: false)
        #expect(forged.status == 403, "no form token, no import")
        let uploaded = try await ani.postFile(
            "/lke/unggah", [("siklus", next)], file: ("berkas", "lke.xlsx", file.data))
        #expect(uploaded.status == 303, "\(uploaded.status) \(uploaded.body.prefix(300))")
        let shown = try await ani.get(try #require(uploaded.location))
        #expect(
            shown.body.contains("2 jawaban lapis unit diimpor dari lembar &#39;LKE&#39;")
                || shown.body.contains("2 jawaban lapis unit diimpor dari lembar 'LKE'"), "\(shown.body.prefix(2000))")
        let web2 = try kab.objects("lke", "sheet", "--cycle", next).filter {
            ($0["answers"] as? [String: String])?["unit"] != nil
        }
        #expect(web2.map { $0["code"] as? String } == ["A.I.1.i.a", "B.II.a"])

        // Not a workbook: the page says why, and nothing changes.
        let bad = try await ani.postFile(
            "/lke/unggah", [("siklus", next)],
            file: ("berkas", "bukan.xlsx", Data("code,answer\nA.I.1.i.a,Tidak\n".utf8)))
        #expect(bad.status == 422 && bad.body.contains("id=\"galat-impor\""), "\(bad.status)")
        #expect(bad.body.contains("Berkas tidak diimpor") && bad.body.contains("bukan.xlsx is not an .xlsx workbook"))
        #expect(
            try kab.objects("lke", "sheet", "--cycle", next).first { $0["code"] as? String == "A.I.1.i.a" }?["answers"]
                as? [String: String] == ["unit": "Ya"])
    }

    /// PortalRB's template (sheet `Jawaban`, a row per soal at its `excel_baris`, the unit's
    /// answer in K and note in L, the TPI's in N and Q), as an evaluator fills it by hand: answers
    /// in any case, decimal commas; a value on a row that is no soal's is named.
    @Test func portalRBsTemplateImportsByItsRows() throws {
        let kab = CLI("32.17")
        defer { kab.cleanup() }
        try kab.ok(["init", "--satker", "32.17"])
        let soal = try #require(try PortalRBSoal.master(year: 2026))
        func row(_ code: String) throws -> Int { try #require(soal.first { $0.code == code }?.excelRow) }
        func cell(_ ref: String, _ text: String) -> String {
            "<c r=\"\(ref)\" t=\"inlineStr\"><is><t>\(text)</t></is></c>"
        }
        func sheet(_ cells: [(Int, String)]) -> Data {
            var x =
                #"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#
            x += "<row r=\"1\">\(cell("K1", "Jawaban Unit"))\(cell("N1", "Jawaban TPI"))</row>"
            for (r, cells) in cells.sorted(by: { $0.0 < $1.0 }) { x += "<row r=\"\(r)\">\(cells)</row>" }
            return Data((x + "</sheetData></worksheet>").utf8)
        }
        let parts: [String: Data] = [
            "xl/workbook.xml": Data(
                (#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Jawaban" sheetId="1" r:id="rId1"/></sheets></workbook>"#)
                    .utf8),
            "xl/_rels/workbook.xml.rels": Data(
                (#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#)
                    .utf8),
        ]
        let (a, b, ipak) = (try row("A.I.1.i.a"), try row("A.I.1.i.b"), try row("B.I.a"))
        var good = parts
        good["xl/worksheets/sheet1.xml"] = sheet([
            (a, cell("K\(a)", "ya") + cell("L\(a)", "SK Tim ZI") + cell("N\(a)", "Tidak")),
            (b, cell("K\(b)", "b ")), (ipak, cell("K\(ipak)", "3,62")),
        ])
        let template = kab.home.appendingPathComponent("portalrb.xlsx")
        try Self.workbook(template, replacing: good)
        #expect(try kab.object("lke", "import", template.path)["imported"] as? Int == 3)
        let rows = try kab.objects("lke", "sheet")
        func unit(_ code: String) -> String? {
            (rows.first { $0["code"] as? String == code }?["answers"] as? [String: String])?["unit"]
        }
        #expect(unit("A.I.1.i.a") == "Ya" && unit("A.I.1.i.b") == "B" && unit("B.I.a") == "3.62")
        let stray = try #require((3...250).first { r in !soal.contains { $0.excelRow == r } })
        var bad = parts
        bad["xl/worksheets/sheet1.xml"] = sheet([(a, cell("K\(a)", "ya")), (stray, cell("K\(stray)", "Ya"))])
        let wrong = kab.home.appendingPathComponent("salah.xlsx")
        try Self.workbook(wrong, replacing: bad)
        let refused = try kab.run(["lke", "import", "--cycle", "2031", wrong.path])
        #expect(
            refused.status != 0 && refused.stderr.contains("cell K\(stray): a value on a row that is no soal"),
            "\(refused.stderr)")
    }
}
