import ZISyncCore
import ZISyncScoring
import ZISyncStore

/// PortalRB's Excel template (evaluation.md §4, the master's `excel_*` fields): sheet `Jawaban`,
/// each soal on its `excel_baris`, the unit's answer in K, note in L, bukti dukung in M, the
/// TPI's answer in N and note in Q, answers in PortalRB's forms. In the pengungkit part
/// `excel_baris` is the catalogue's line, so the tree's rows between the soal carry its numbering
/// and text as on sheet `LKE`; the hasil part's soal sit lower, and the rows between follow them.
/// An input PortalRB has no soal for (the LHKPN total) has its row without answer cells.
struct LKEPortalRBLayout {
    let model: LKEModel
    let soal: [PortalRBSoal]

    static let headers = [
        "Komponen", "Aspek", "Area", "Indikator", "Butir", "Uraian", "Bobot", "Pilihan jawaban", "Kode",
        "Soal (id)", "Jawaban Unit", "Catatan Unit", "Bukti Dukung Unit", "Jawaban TPI", "", "", "Catatan TPI",
    ]
    /// K, L, M, N and Q.
    static let (unitAnswer, unitNote, unitEvidence, tpiAnswer, tpiNote) = (11, 12, 13, 14, 17)

    func sheet(
        unit: [String: LKEAnswers.Answer], tpi: [String: LKEAnswers.Answer], unitEvidence: [String: String?]
    ) -> Worksheet {
        var sheet = Worksheet(name: "Jawaban")
        sheet.columns = [4, 4, 4, 5, 6, 60, 7, 14, 20, 9, 12, 30, 30, 12, 4, 4, 30].map {
            Worksheet.Column(width: $0)
        }
        sheet.frozenRows = 1
        sheet.frozenColumns = 6
        sheet.rows.append(Self.headers.map { $0.isEmpty ? nil : Cell.text($0, .header) })
        let byCode = Dictionary(soal.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        var cellsByType: [LKEAnswerType: [String]] = [:]
        // Each soal on its excel_baris; the other rows on their catalogue line, or just below the
        // row before when the template has moved on (its hasil part has rows of its own).
        var placed: [Int: [Cell?]] = [:]
        var previous = 1
        for (i, item) in model.items.enumerated() {
            let soal = byCode[item.code]
            let r = soal?.excelRow ?? max(i + 2, previous + 1)
            guard placed[r] == nil, r > previous else { continue }  // a master out of order: kept to its rows
            previous = r
            var cells = LKERegulationLayout.treeCells(item) + Array(repeating: nil, count: Self.headers.count - 9)
            if let s = soal {
                cells[9] = .number(Double(s.id))
                cells[Self.unitAnswer - 1] = LKERegulationLayout.answerCell(PortalRBData.value(unit, s), s.answerType)
                cells[Self.unitNote - 1] = unit[s.code]?.note.map { .text($0, .wrapped) }
                cells[Self.unitEvidence - 1] = (unitEvidence[s.code] ?? nil).map { .text($0, .wrapped) }
                cells[Self.tpiAnswer - 1] = LKERegulationLayout.answerCell(PortalRBData.value(tpi, s), s.answerType)
                cells[Self.tpiNote - 1] = tpi[s.code]?.note.map { .text($0, .wrapped) }
                for column in [Self.unitAnswer, Self.tpiAnswer] {
                    cellsByType[s.answerType, default: []].append("\(columnName(column))\(r)")
                }
            }
            placed[r] = cells
        }
        for r in 2...max(2, previous) { sheet.rows.append(placed[r] ?? []) }
        for type in LKEAnswerType.allCases {
            if let cells = cellsByType[type], let v = LKERegulationLayout.validation(type, cells) {
                sheet.validations.append(v)
            }
        }
        return sheet
    }
}
