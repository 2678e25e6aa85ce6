import Foundation
import ZISyncCore
import ZISyncScoring
import ZISyncStore
import ZISyncWorkbook

/// `lke import` of 553 offices' worth of LKE files, each a whole unit layer, as CSV, as the
/// workbook zisync exports, and as a workbook kept the regulation's way (titles, merged headers,
/// the numbering over five columns, no codes): each file one run of the release binary, two
/// answer sets in turn so that every import changes every answer. Prints each format's time
/// against the CSV import's (issue 24's target: within 3×).
func runWorkbookBench(files: Int = 553) throws {
    let home = tempHome("workbook")
    defer { try? FileManager.default.removeItem(at: home) }
    let cycle = 2026
    var sets: [[(code: String, answer: String)]] = []
    let catalogue: [LKEItem]
    do {
        let store = try Store.initialize(home: Home(path: home.path), satker: "32.17")
        var draw = try LKEDraw(store, seed: 24)
        for _ in 0..<2 { sets.append(draw.inputs.map { ($0.code, draw.answer($0.type)) }) }
        catalogue = try store.records.lkeCatalogue()
    }
    var csv: [URL] = []
    var exported: [URL] = []
    var kept: [URL] = []
    for (i, set) in sets.enumerated() {
        let file = home.appendingPathComponent("lke-\(i).csv")
        try (["code,answer"] + set.map { "\($0.code),\"\($0.answer)\"" }).joined(separator: "\n")
            .write(to: file, atomically: true, encoding: .utf8)
        csv.append(file)
        // zisync's export of the same answers, from a cycle of its own.
        try ZISyncProcess.run(["lke", "import", "--home", home.path, "--cycle", String(2001 + i), file.path])
        let xlsx = home.appendingPathComponent("lke-\(i).xlsx")
        try ZISyncProcess.run([
            "lke", "export", "--home", home.path, "--cycle", String(2001 + i), "--layer", "unit", "--xlsx", xlsx.path,
        ])
        exported.append(xlsx)
        let answers = Dictionary(set.map { ($0.code, $0.answer) }, uniquingKeysWith: { a, _ in a })
        let keptFile = home.appendingPathComponent("lke-kept-\(i).xlsx")
        try XLSXPackage.write([keptSheet(catalogue, answers)], to: keptFile)
        kept.append(keptFile)
    }
    print("lke import of \(files) files, each a unit layer of \(sets[0].count) answers (release binary, one run each)")
    var csvSeconds = 0.0
    for (label, list) in [("CSV", csv), ("xlsx, zisync's export", exported), ("xlsx, kept layout", kept)] {
        var total = 0.0
        var peak = 0
        for n in 0..<files {
            let r = try ZISyncProcess.result([
                "lke", "import", "--home", home.path, "--cycle", String(cycle), list[n % 2].path,
            ])
            total += r.seconds
            peak = max(peak, r.maxResidentKilobytes)
        }
        if label == "CSV" { csvSeconds = total }
        print(
            "  " + label.padding(toLength: 22, withPad: " ", startingAt: 0)
                + String(
                    format: " %6.1f s in all, %5.1f ms per file, peak %5.1f MB, %.2f× the CSV import", total,
                    1000 * total / Double(files), Double(peak) / 1024, total / csvSeconds))
    }
}

/// A unit's LKE as offices keep it: titles, a header under merged group titles, the numbering
/// in five columns, the questions, bobot, jawaban and catatan; no codes.
func keptSheet(_ catalogue: [LKEItem], _ answers: [String: String]) -> Worksheet {
    var sheet = Worksheet(name: "LKE 2025")
    func t(_ s: String) -> Cell? { .text(s) }
    sheet.rows = [
        [t("LEMBAR KERJA EVALUASI PEMBANGUNAN ZONA INTEGRITAS")], [t("KPU Kabupaten, Tahun 2025")], [],
        [t("No"), nil, nil, nil, nil, t("Komponen / Sub Komponen"), t("Bobot"), t("Penilaian Unit Kerja")],
        [nil, nil, nil, nil, nil, nil, nil, t("Jawaban"), t("Nilai"), t("Catatan")],
    ]
    sheet.merged = ["A1:J1", "A2:J2", "A4:E5", "F4:F5", "G4:G5", "H4:J4"]
    for item in catalogue {
        let segments = item.code.split(separator: ".")
        var row: [Cell?] = Array(repeating: nil, count: 10)
        if segments.count <= 5, !segments.last!.hasPrefix("J") { row[segments.count - 1] = t("\(segments.last!).") }
        row[5] = t(item.name)
        if !item.weight.isEmpty { row[6] = t(item.weight.replacingOccurrences(of: ".", with: ",")) }
        if let a = answers[item.code] { row[7] = t(a.replacingOccurrences(of: ".", with: ",")) }
        sheet.rows.append(row)
    }
    return sheet
}
