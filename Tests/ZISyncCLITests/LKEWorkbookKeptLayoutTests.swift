import Foundation
import Testing
import ZISyncCore
import ZISyncTestSupport

/// LKE workbooks as offices keep them (issue 24): made by LibreOffice, not by zisync, with titles
/// above the table, a two-row header under merged group titles, the tree's numbering over five
/// columns, no codes, answers typed loosely (`ya`, `A `, `b.`), decimal commas, counts typed as
/// text, formulas, computed percentages and a signature block. Such a workbook imports to the
/// same answers and score as the CSV it was made from; PortalRB's template exported by zisync
/// lands each answer on its soal's row.
@Suite(.serialized, .timeLimit(.minutes(10))) struct LKEWorkbookKeptLayoutTests {
    static let soffice = LKEWorkbookTests.soffice
    static let missing = LKEWorkbookTests.missing

    /// A flat ODS document (what LibreOffice reads as XML): the regulation's table as an office
    /// keeps it, with `unit` answers and `tpi` answers in two column groups.
    static func keptWorkbook(
        _ catalogue: [LKEItem], unit: [String: String], tpi: [String: String], rng: inout SeededRandom
    ) -> String {
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: "\"", with: "&quot;")
        }
        func text(_ s: String, span: Int = 1, rows: Int = 1) -> String {
            var a = ""
            if span > 1 { a += " table:number-columns-spanned=\"\(span)\"" }
            if rows > 1 { a += " table:number-rows-spanned=\"\(rows)\"" }
            let cell =
                "<table:table-cell office:value-type=\"string\"\(a)><text:p>\(esc(s))</text:p></table:table-cell>"
            return cell + (span > 1 ? "<table:covered-table-cell table:number-columns-repeated=\"\(span - 1)\"/>" : "")
        }
        func number(_ x: Double) -> String {
            "<table:table-cell office:value-type=\"float\" office:value=\"\(x)\"><text:p>\(x)</text:p></table:table-cell>"
        }
        let empty = "<table:table-cell/>"
        func covered(_ n: Int) -> String { "<table:covered-table-cell table:number-columns-repeated=\"\(n)\"/>" }
        var x = """
            <?xml version="1.0" encoding="UTF-8"?>
            <office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" \
            xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" \
            xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" \
            xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.2" \
            office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
            <office:body><office:spreadsheet>
            <table:table table:name="Petunjuk"><table:table-row>\(text("Isi kolom Jawaban sesuai pilihan."))</table:table-row></table:table>
            <table:table table:name="LKE 2025">
            """
        func row(_ cells: String) { x += "<table:table-row>\(cells)</table:table-row>\n" }
        // Titles, a blank row, then the header: "No" over the five numbering columns and two
        // rows, group titles over each layer's columns.
        row(text("LEMBAR KERJA EVALUASI PEMBANGUNAN ZONA INTEGRITAS", span: 13))
        row(text("KPU Kabupaten Bandung Barat, Tahun 2025", span: 13))
        row(empty)
        row(
            "<table:table-cell office:value-type=\"string\" table:number-columns-spanned=\"5\" table:number-rows-spanned=\"2\"><text:p>No</text:p></table:table-cell>"
                + covered(4) + text("Komponen / Sub Komponen", rows: 2) + text("Bobot", rows: 2)
                + text("Penilaian Unit Kerja", span: 4) + text("Penilaian TPI", span: 2))
        row(
            covered(7) + text("Jawaban") + text("Nilai") + text("Catatan") + text("Link Bukti Dukung") + text("Jawaban")
                + text("Catatan"))
        row((1...13).map { text("(\($0))") }.joined())  // the column numbers tables often carry
        for (i, item) in catalogue.enumerated() {
            let segments = item.code.split(separator: ".")
            var cells = Array(repeating: empty, count: 5)
            var name = item.name
            if !segments.last!.hasPrefix("J") && segments.count <= 5 {
                cells[segments.count - 1] = text("\(segments.last!).")
            } else if segments.count > 5 {
                cells[4] = text("-")
            }
            // Texts as typed by hand: a word missing, other spacing and case.
            if i % 17 == 5, name.split(separator: " ").count > 6 {
                var words = name.split(separator: " ")
                words.remove(at: 2)
                name = words.joined(separator: " ")
            } else if i % 11 == 3 {
                name = name.uppercased().replacingOccurrences(of: " ", with: "  ")
            }
            var line = cells.joined() + text(name)
            line += item.weight.isEmpty ? empty : text(item.weight.replacingOccurrences(of: ".", with: ","))
            func answerCell(_ a: String?, _ k: Int) -> String {
                guard let a else {
                    // A persen row's percentage, as a sheet computes it in the answer column.
                    return item.answerType == "persen" && k % 2 == 0 ? number(0.64) : empty
                }
                switch LKEAnswerType(rawValue: item.answerType) {
                case .yaTidak: return text(k % 2 == 0 ? a.lowercased() : a)
                case .abc, .abcd, .abcde: return text([a, a.lowercased(), "\(a) ", "\(a.lowercased())."][k % 4])
                case .jumlah: return k % 2 == 0 ? number(Double(a)!) : text(a)
                case .nilai04: return text(a.replacingOccurrences(of: ".", with: ","))
                default: return text(a)
                }
            }
            let k = Int(rng.next() % 1000)
            line += answerCell(unit[item.code], k)
            line +=
                item.answerType == "ya_tidak" && unit[item.code] != nil
                ? "<table:table-cell table:formula=\"of:=IF(LOWER([.H\(i + 7)])=&quot;ya&quot;;1;0)\" office:value-type=\"float\" office:value=\"0\"><text:p>0</text:p></table:table-cell>"
                : empty
            line += k % 3 == 0 && unit[item.code] != nil ? text("catatan \(item.code)") : empty
            line += k % 5 == 0 && unit[item.code] != nil ? text("https://drive.example/bukti/\(item.code)") : empty
            line += answerCell(tpi[item.code], k + 1)
            line += empty
            row(line)
        }
        row(empty)
        row(empty + empty + empty + empty + empty + text("Mengetahui, Kepala Sekretariat"))
        row(empty + empty + empty + empty + empty + text("Nama dan NIP"))
        x += "</table:table></office:spreadsheet></office:body></office:document>\n"
        return x
    }

    @Test(
        .enabled(if: missing == nil, "workbook test skipped: \(missing ?? "")"),
        arguments: [UInt64(7), 2025])
    func aWorkbookLibreOfficeMadeImportsToTheSameScore(seed: UInt64) throws {
        let kab = CLI("32.17")
        defer { kab.cleanup() }
        try kab.ok(["init", "--satker", "32.17"])
        let catalogue = try LKECatalogue.load()
        let codes = LKEWorkbookTests.inputCodes(catalogue)
        var rng = SeededRandom(seed: seed)
        func answers(_ csv: String) -> [String: String] {
            var out: [String: String] = [:]
            for line in csv.split(separator: "\n").dropFirst() {
                let parts = line.split(separator: ",", maxSplits: 1)
                out[String(parts[0])] = parts[1].replacingOccurrences(of: "\"", with: "")
            }
            return out
        }
        let unitCSV = LKEWorkbookTests.randomAnswers(&rng, codes: codes)
        let tpiCSV = LKEWorkbookTests.randomAnswers(&rng, codes: codes)
        let csv = kab.home.appendingPathComponent("unit.csv")
        try unitCSV.write(to: csv, atomically: true, encoding: .utf8)
        try kab.ok(["lke", "import", "--cycle", "2025", csv.path])

        // LibreOffice makes the .xlsx from the flat document.
        let fods = kab.home.appendingPathComponent("lke-2025.fods")
        try Self.keptWorkbook(catalogue, unit: answers(unitCSV), tpi: answers(tpiCSV), rng: &rng)
            .write(to: fods, atomically: true, encoding: .utf8)
        let converted = try Self.libreOffice(fods, in: kab.home)
        #expect(converted.status == 0, "\(converted.stderr)")
        let xlsx = kab.home.appendingPathComponent("lke-2025.xlsx")

        let imported = try kab.object("lke", "import", "--cycle", "2026", xlsx.path)
        #expect(imported["layout"] as? String == "regulation" && imported["sheet"] as? String == "LKE 2025")
        let notices = try #require(imported["notices"] as? [String])
        #expect(
            notices.contains { $0.contains("'Mengetahui, Kepala Sekretariat' is no item of the LKE") }, "\(notices)")
        #expect(
            notices.contains { $0.contains("persen row, computed from its jumlah rows") } || seed != 7, "\(notices)")
        for key in ["total", "pengungkit", "pemenuhan", "reform", "hasil"] {
            let (want, got) = (
                try kab.object("lke", "score", "--cycle", "2025")[key] as? Double,
                try kab.object("lke", "score", "--cycle", "2026")[key] as? Double
            )
            #expect(want != nil && want == got, "\(key): CSV \(want ?? -1), workbook \(got ?? -1)")
        }
        func layer(_ cycle: String, _ name: String) throws -> [String: String] {
            var out: [String: String] = [:]
            for row in try kab.objects("lke", "sheet", "--cycle", cycle) {
                if let code = row["code"] as? String, let a = (row["answers"] as? [String: String])?[name] {
                    out[code] = a
                }
            }
            return out
        }
        #expect(try layer("2025", "unit") == layer("2026", "unit"))
        // Notes, and links that are no zisync bukti dukung, kept in the note.
        let sheet = try kab.objects("lke", "sheet", "--cycle", "2026")
        let notes = sheet.compactMap { ($0["notes"] as? [String: String])?["unit"] }
        #expect(notes.contains { $0.hasPrefix("catatan ") })
        #expect(notes.contains { $0.contains("Bukti dukung: https://drive.example/bukti/") })

        // The TPI's column group is the tpi layer's: a workbook an evaluator filled, read into
        // RI's tpi layer of its own (submitted) LKE.
        let ri = CLI("00")
        defer { ri.cleanup() }
        try ri.ok(["init", "--satker", "00"])
        let tpiFile = ri.home.appendingPathComponent("lke-tpi.xlsx")
        try FileManager.default.copyItem(at: xlsx, to: tpiFile)
        try ri.ok(["lke", "import", "--cycle", "2026", tpiFile.path])
        try ri.ok(["lke", "submit", "--cycle", "2026"])
        let tpiDone = try ri.object("lke", "import", "--layer", "tpi", "--cycle", "2026", tpiFile.path)
        #expect(tpiDone["imported"] as? Int == answers(tpiCSV).count)

        // Group titles that name no layer: two answer columns, refused with the columns found.
        let plain = kab.home.appendingPathComponent("polos.fods")
        try String(contentsOf: fods, encoding: .utf8).replacingOccurrences(of: "Penilaian Unit Kerja", with: "Kolom 1")
            .replacingOccurrences(of: "Penilaian TPI", with: "Kolom 2").write(
                to: plain, atomically: true, encoding: .utf8)
        #expect(try Self.libreOffice(plain, in: kab.home).status == 0)
        let refused = try kab.run([
            "lke", "import", "--cycle", "2027", kab.home.appendingPathComponent("polos.xlsx").path,
        ])
        #expect(refused.status != 0 && refused.stderr.contains("none of them is the unit layer's"), "\(refused.stderr)")
        #expect(refused.stderr.contains("H 'Kolom 1 Jawaban', L 'Kolom 2 Jawaban'"), "\(refused.stderr)")
    }

    /// LibreOffice converts a flat document to .xlsx beside it.
    static func libreOffice(_ fods: URL, in dir: URL) throws -> CLI.Result {
        try CLI.process(
            soffice,
            [
                "-env:UserInstallation=file://\(dir.path)/lo-profile", "--headless", "--convert-to", "xlsx",
                "--outdir", fods.deletingLastPathComponent().path, fods.path,
            ], environment: CLI.environment)
    }

    /// A value the reader cannot place, and an answer the type forbids, are named by sheet and
    /// cell; nothing is imported.
    @Test(.enabled(if: missing == nil, "workbook test skipped: \(missing ?? "")"))
    func problemsInAKeptWorkbookAreNamedByCell() throws {
        let kab = CLI("32.17")
        defer { kab.cleanup() }
        try kab.ok(["init", "--satker", "32.17"])
        let catalogue = try LKECatalogue.load()
        var rng = SeededRandom(seed: 1)
        var fods = Self.keptWorkbook(catalogue, unit: ["A.I.1.i.a": "Ya", "A.I.1.i.b": "E"], tpi: [:], rng: &rng)
        // A made-up question with an answer.
        fods = fods.replacingOccurrences(
            of: "<text:p>Nama dan NIP</text:p></table:table-cell>",
            with:
                "<text:p>Pertanyaan tambahan buatan sendiri</text:p></table:table-cell><table:table-cell/><table:table-cell office:value-type=\"string\"><text:p>Ya</text:p></table:table-cell>"
        )
        let b = catalogue.firstIndex { $0.code == "A.I.1.i.b" }! + 7
        let file = kab.home.appendingPathComponent("salah.fods")
        try fods.write(to: file, atomically: true, encoding: .utf8)
        let converted = try Self.libreOffice(file, in: kab.home)
        #expect(converted.status == 0, "\(converted.stderr)")
        let refused = try kab.run(["lke", "import", kab.home.appendingPathComponent("salah.xlsx").path])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("nothing was imported"), "\(refused.stderr)")
        #expect(
            refused.stderr.contains("cannot place on the LKE ('Pertanyaan tambahan buatan sendiri')"),
            "\(refused.stderr)")
        #expect(refused.stderr.contains("sheet 'LKE 2025', cell H\(b) (A.I.1.i.b): '"), "\(refused.stderr)")
        #expect(refused.stderr.contains("is not a abc answer"), "\(refused.stderr)")
        #expect(try kab.objects("lke", "sheet").allSatisfy { ($0["answers"] as? [String: String])?["unit"] == nil })
    }

    /// PortalRB's template as zisync writes it: each soal's answers on its `excel_baris` in K, L,
    /// N and Q as LibreOffice reads them, and back into zisync to the same answers.
    @Test(.enabled(if: missing == nil, "workbook test skipped: \(missing ?? "")"))
    func portalRBsTemplateIsWrittenOnEachSoalsRow() throws {
        let ri = CLI("00")
        defer { ri.cleanup() }
        try ri.ok(["init", "--satker", "00"])
        for (code, answer, note) in [
            ("A.I.1.i.a", "Ya", "SK Tim ZI"), ("A.I.1.i.b", "B", ""), ("A.II.1.i.a.J1", "14", ""),
            ("B.I.a", "3.62", ""),
        ] {
            var args = ["lke", "answer", code, answer, "--cycle", "2026"]
            if !note.isEmpty { args += ["--note", note] }
            try ri.ok(args)
        }
        try ri.ok(["lke", "submit", "--cycle", "2026"])  // the TPI assesses a submitted LKE
        try ri.ok(["lke", "answer", "A.I.1.i.a", "Tidak", "--layer", "tpi", "--cycle", "2026", "--note", "belum"])
        let xlsx = ri.home.appendingPathComponent("portalrb.xlsx")
        let wrote = try ri.object("lke", "export", "--layout", "portalrb", "--cycle", "2026", "--xlsx", xlsx.path)
        #expect(wrote["layout"] as? String == "portalrb")
        let none = try ri.run(["lke", "export", "--layout", "portalrb", "--cycle", "2019", "--xlsx", xlsx.path])
        #expect(none.status != 0 && none.stderr.contains("none ships for 2019"), "\(none.stderr)")

        // Tab-separated: the questions hold commas.
        let csv = try LKEWorkbookTests.sheetText(xlsx, sheet: 1, named: "Jawaban", separator: "\t", in: ri.home)
        let lines = csv.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let soal = try #require(try PortalRBSoal.master(year: 2026))
        func cells(_ code: String) throws -> [String] {
            let r = try #require(soal.first { $0.code == code }?.excelRow)
            return lines[r - 1].split(separator: "\t", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        let ids = lines.compactMap { line -> Int? in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            return f.count > 9 ? Int(f[9].trimmingCharacters(in: CharacterSet(charactersIn: "\""))) : nil
        }
        #expect(Set(ids) == Set(soal.map(\.id)) && ids.count == soal.count, "every soal on a row of its own")
        for s in soal {
            let f = lines[s.excelRow - 1].split(separator: "\t", omittingEmptySubsequences: false)
            #expect(f.count > 9 && f[9] == "\(s.id)", "soal \(s.id) on row \(s.excelRow)")
        }
        let a = try cells("A.I.1.i.a")
        #expect(a[10] == "Ya" && a[11] == "SK Tim ZI" && a[13] == "Tidak" && a[16] == "belum", "\(a)")
        #expect(try cells("A.I.1.i.b")[10] == "B")
        #expect(try cells("A.II.1.i.a.J1")[10] == "14")
        #expect(try cells("B.I.a")[10] == "3.62")

        #expect(try ri.object("lke", "import", "--cycle", "2027", xlsx.path)["layout"] as? String == "portalrb")
        try ri.ok(["lke", "submit", "--cycle", "2027"])
        try ri.ok(["lke", "import", "--layer", "tpi", "--cycle", "2027", xlsx.path])
        func layers(_ cycle: String) throws -> [String] {
            try ri.objects("lke", "sheet", "--cycle", cycle).compactMap { row in
                guard let a = row["answers"] as? [String: String], !a.isEmpty else { return nil }
                return "\(row["code"] as? String ?? "") \(a["unit"] ?? "-") \(a["tpi"] ?? "-")"
            }
        }
        #expect(try layers("2026") == layers("2027"))
    }
}
