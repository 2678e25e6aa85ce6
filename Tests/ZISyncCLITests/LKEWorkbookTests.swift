import Foundation
import Testing
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
        let codes = catalogue.compactMap { item -> (String, LKEAnswerType)? in
            guard let type = LKEAnswerType(rawValue: item.answerType), type != .persen,
                ["pertanyaan", "jumlah", "hasil"].contains(item.level)
            else { return nil }
            return (item.code, type)
        }
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
        let out = dir.appendingPathComponent("out")
        let converted = try CLI.process(
            Self.soffice,
            [
                "-env:UserInstallation=file://\(dir.path)/lo-profile", "--headless", "--convert-to",
                "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,2", "--outdir", out.path,
                xlsx.path,
            ], environment: CLI.environment)
        #expect(converted.status == 0, "\(converted.stderr)")
        let csv = try String(contentsOf: out.appendingPathComponent("lke-Ringkasan.csv"), encoding: .utf8)
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
}
