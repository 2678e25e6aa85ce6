import Foundation
import ZISyncCore
import ZISyncScoring
import ZISyncStore

/// One layer's answers read from an LKE workbook, checked whole before anything is written:
/// every problem named by sheet and cell. Three layouts are read, tried in this order:
/// - zisync's own (`LKERegulationLayout`): a `Kode` column and the layer's `Jawaban (…)`,
///   `Catatan (…)` and `Bukti (id) (…)` columns, or a single `Jawaban`;
/// - PortalRB's template: a sheet `Jawaban`, one row per soal;
/// - the regulation's layout as offices keep it, without codes (`LKEKeptLayout`).
/// Each is found in any sheet by its header texts in the first 30 rows, so titles above the
/// table and extra columns do not matter.
public struct LKEWorkbookImport: Sendable {
    let model: LKEModel

    public init(model: LKEModel) { self.model = model }

    /// What was read from a workbook.
    public struct Reading: Sendable {
        public let entries: [LKEAnswers.Entry]
        /// `zisync`, `portalrb` or `regulation`.
        public let layout: String
        public let sheet: String
        /// Rows read that hold nothing to import (a title, a row that is no LKE item) and values
        /// not read (a persen row's computed percentage), each with its sheet and cell.
        public let notices: [String]
    }

    /// Reads `workbook`'s answers of `layer` and writes them into `satker`'s LKE of `cycle`, all
    /// or nothing: the one import the CLI and the web app run. Returns the changes written and
    /// what was read.
    public static func write(
        _ workbook: XLSXWorkbook, file: String, to store: Store, satker: String, cycle: Int, layer: AssessmentLayer,
        actor: String
    ) throws -> (written: [Change], reading: Reading) {
        let reading = try LKEWorkbookImport(model: LKEModel(try store.records.lkeCatalogue()))
            .read(workbook, layer: layer, file: file)
        guard !reading.entries.isEmpty else {
            throw WorkbookError(
                "\(file), sheet '\(reading.sheet.prefix(40))': no answers for layer \(layer.rawValue)"
                    + reading.notices.prefix(5).map { "\n  \($0)" }.joined())
        }
        let written = try LKEAnswers(store).write(
            reading.entries, satker: satker, cycle: cycle, layer: layer, actor: actor)
        return (written, reading)
    }

    /// The entries of `layer` (titled as the export titles it), or every problem found.
    public func read(_ workbook: XLSXWorkbook, layer: AssessmentLayer, file: String) throws -> Reading {
        let title = LKEWorkbookExport.title(layer)
        for sheet in workbook.sheets {
            guard let table = Table(sheet, layerTitle: title) else { continue }
            return .init(entries: try read(sheet, table, file: file), layout: "zisync", sheet: sheet.name, notices: [])
        }
        if let sheet = workbook.sheets.first(where: { $0.name == "Jawaban" }) {
            return .init(
                entries: try portalRB(sheet, layer: layer, file: file), layout: "portalrb", sheet: sheet.name,
                notices: [])
        }
        let kept = LKEKeptLayout(model: model)
        for sheet in workbook.sheets {
            guard let table = try kept.table(sheet, layer: layer, file: file) else { continue }
            return try kept.read(sheet, table, file: file)
        }
        throw WorkbookError(
            "\(file): no sheet has an LKE table: a header row in the first 30 rows with a 'Jawaban' column, and below it a column of the LKE's questions (or zisync's 'Kode' column, or PortalRB's sheet 'Jawaban')"
        )
    }

    /// PortalRB's template (evaluation.md §4): sheet `Jawaban`, one row per soal at its
    /// `excel_baris`, the unit's answer in K and note in L, the TPI's answer in N and note in Q.
    /// A value in those columns on a row that is no soal's is named, never skipped.
    func portalRB(_ sheet: XLSXWorkbook.Sheet, layer: AssessmentLayer, file: String) throws -> [LKEAnswers.Entry] {
        guard layer != .provinsi else {
            throw WorkbookError("\(file): PortalRB's template has the unit's and the TPI's columns, no provinsi layer")
        }
        guard let year = PortalRBSoal.years.last, let soal = try PortalRBSoal.master(year: year) else {
            throw WorkbookError("no PortalRB master ships with this zisync")
        }
        let (answerColumn, noteColumn) =
            layer == .unit
            ? (LKEPortalRBLayout.unitAnswer, LKEPortalRBLayout.unitNote)
            : (LKEPortalRBLayout.tpiAnswer, LKEPortalRBLayout.tpiNote)
        let byRow = Dictionary(soal.map { ($0.excelRow, $0) }, uniquingKeysWith: { a, _ in a })
        var problems: [String] = []
        var entries: [LKEAnswers.Entry] = []
        func at(_ column: Int, _ row: Int) -> String {
            "\(file), sheet 'Jawaban', cell \(columnName(column))\(row)"
        }
        for r in sheet.rows.keys.sorted() {
            let answer = sheet.text(r, answerColumn)?.trimmedOfWhitespace ?? ""
            let note = sheet.text(r, noteColumn)?.trimmedOfWhitespace ?? ""
            guard let s = byRow[r] else {
                // The template's own header rows carry column titles there.
                if r > 2, !answer.isEmpty || !note.isEmpty {
                    problems.append("\(at(answerColumn, r)): a value on a row that is no soal of PortalRB's master")
                }
                continue
            }
            if answer.isEmpty && note.isEmpty { continue }
            if !answer.isEmpty, case .failure(let e) = s.answerType.normalize(answer) {
                problems.append("\(at(answerColumn, r)) (soal \(s.id), \(s.code)): \(e.description)")
                continue
            }
            entries.append(.init(code: s.code, answer: answer.isEmpty ? nil : answer, note: note.isEmpty ? nil : note))
        }
        try Self.refuse(problems)
        return entries
    }

    static func refuse(_ problems: [String]) throws {
        guard !problems.isEmpty else { return }
        let shown = problems.prefix(20).joined(separator: "\n  ")
        let more = problems.count > 20 ? "\n  … and \(problems.count - 20) more" : ""
        throw WorkbookError("nothing was imported:\n  \(shown)\(more)")
    }

    /// Where the table is: its header row and the columns it uses.
    struct Table {
        let header: Int
        let code: Int
        let answer: Int
        let note: Int?
        let evidence: Int?

        init?(_ sheet: XLSXWorkbook.Sheet, layerTitle: String) {
            for r in 1...30 {
                guard let cells = sheet.rows[r] else { continue }
                func column(_ names: String...) -> Int? {
                    for name in names {
                        if let c = cells.first(where: {
                            sheet.text(r, $0.key)?.trimmedOfWhitespace.lowercased() == name.lowercased()
                        })?.key {
                            return c
                        }
                    }
                    return nil
                }
                guard let code = column("Kode"), let answer = column("Jawaban (\(layerTitle))", "Jawaban") else {
                    continue
                }
                header = r
                self.code = code
                self.answer = answer
                note = column("Catatan (\(layerTitle))", "Catatan")
                evidence = column("Bukti (id) (\(layerTitle))", "Bukti (id)")
                return
            }
            return nil
        }
    }

    func read(_ sheet: XLSXWorkbook.Sheet, _ table: Table, file: String) throws -> [LKEAnswers.Entry] {
        var problems: [String] = []
        var entries: [LKEAnswers.Entry] = []
        var seen: [String: Int] = [:]
        func at(_ column: Int, _ row: Int) -> String {
            "\(file), sheet '\(sheet.name.prefix(40))', cell \(columnName(column))\(row)"
        }
        for r in sheet.rows.keys.sorted() where r > table.header {
            let code = sheet.text(r, table.code)?.trimmedOfWhitespace ?? ""
            let answer = sheet.text(r, table.answer)?.trimmedOfWhitespace ?? ""
            let note = table.note.flatMap { sheet.text(r, $0) }?.trimmedOfWhitespace ?? ""
            let ids = table.evidence.flatMap { sheet.text(r, $0) }.map { Validation.lkeCodes($0) } ?? []
            if code.isEmpty {
                if !answer.isEmpty || !note.isEmpty {
                    problems.append("\(at(table.code, r)): an answer or note on a row without a code")
                }
                continue
            }
            guard let item = model[code: code] else {
                if code.utf8.count <= 40, code.first?.isLetter == true, code.contains(".") || code.count == 1 {
                    problems.append("\(at(table.code, r)): '\(code)' is not an LKE code")
                }
                continue  // a row below the table (the total) or a code this catalogue does not have
            }
            guard model.isInput(code), let type = model.answerType(code) else {
                if !answer.isEmpty {
                    problems.append("\(at(table.answer, r)): \(code) is a \(item.level) row, it takes no answer")
                }
                continue
            }
            if answer.isEmpty && note.isEmpty && ids.isEmpty { continue }
            if let earlier = seen[code] {
                problems.append("\(at(table.code, r)): \(code) is on row \(earlier) already")
                continue
            }
            seen[code] = r
            if !answer.isEmpty, case .failure(let e) = type.normalize(answer) {
                problems.append("\(at(table.answer, r)): \(e.description)")
                continue
            }
            for id in ids where !Validation.isRecordID(id) {
                problems.append("\(at(table.evidence ?? table.code, r)): '\(id.prefix(40))' is not a bukti dukung id")
            }
            entries.append(
                .init(
                    code: code, answer: answer.isEmpty ? nil : answer, note: note.isEmpty ? nil : note,
                    evidence: ids.isEmpty ? nil : ids))
        }
        try Self.refuse(problems)
        return entries
    }
}
