import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncStore
import ZISyncWorkbook

struct LKEImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import LKE answers from a CSV sheet or an .xlsx workbook; all rows or none.",
        discussion: """
            CSV columns (header row, any order): code, answer, and optionally note. Comma or \
            semicolon separated, as spreadsheets export it. A row whose code is not a question, \
            jumlah row or hasil item (a persen row is computed), or whose answer does not fit the \
            code's type, is named by its line and column, and nothing is imported. An .xlsx \
            workbook is found in any sheet by its header row: zisync's own export (by its Kode \
            column), PortalRB's template (sheet Jawaban), or the regulation's layout as offices \
            keep it, each row placed on the LKE by its numbering and question text. The layer's \
            Jawaban column is the one whose header (or the title above it) names the layer \
            (Unit, Provinsi/Pendahuluan, TPI/Penilai), or the only one. Problems are named by \
            sheet and cell; rows that are no LKE item are listed.
            """)

    @OptionGroup var node: NodeOptions
    @OptionGroup var target: LKETarget
    @Argument(help: "The CSV file or .xlsx workbook.") var file: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try node.openStore()
        let t = try target.resolve(store)
        let name = URL(fileURLWithPath: file).lastPathComponent
        if name.lowercased().hasSuffix(".xlsx") {
            let (written, reading) = try LKEWorkbookImport.write(
                try XLSXWorkbook.read(URL(fileURLWithPath: file)), file: name, to: store, satker: t.satker,
                cycle: t.cycle, layer: t.layer, actor: node.actorName)
            return try report(written, t, reading)
        }
        // Read a row at a time: each code is answered once, so what is kept is bounded by the
        // catalogue whatever the file's size.
        let rows = try CSVFile.Stream(.file(URL(fileURLWithPath: file)), name: name)
        for column in ["code", "answer"] where !rows.keys.contains(column) {
            throw ZISyncError("\(name): the header has no '\(column)' column (code, answer, note)")
        }
        let lke = store.authorization
        var seen: [String: Int] = [:]
        var entries: [LKEAnswers.Entry] = []
        while let row = try rows.next() {
            let code = (row["code"] ?? "").trimmingCharacters(in: .whitespaces)
            let answer = (row["answer"] ?? "").trimmingCharacters(in: .whitespaces)
            func bad(_ column: String, _ why: String) -> ZISyncError {
                ZISyncError("\(name) line \(row.line), column \(column): \(why); nothing was imported")
            }
            guard let info = lke.lkeRow(code) else { throw bad("code", "unknown LKE code '\(code)'") }
            guard info.isInput, let type = info.answerType else {
                throw bad(
                    "code",
                    info.answerType == .persen
                        ? "\(code) is a persen row: it is computed from its jumlah rows"
                        : "\(code) is a \(info.level) row, not a question")
            }
            if let earlier = seen[code] { throw bad("code", "\(code) is answered on line \(earlier) already") }
            seen[code] = row.line
            if case .failure(let e) = type.normalize(answer) { throw bad("answer", e.description) }
            entries.append(.init(code: code, answer: answer, note: row["note"].flatMap { $0.isEmpty ? nil : $0 }))
        }
        if entries.isEmpty { throw ZISyncError("\(name) has no rows under its header") }
        try report(
            try LKEAnswers(store).write(
                entries, satker: t.satker, cycle: t.cycle, layer: t.layer, actor: node.actorName), t)
    }

    func report(_ written: [Change], _ t: LKETarget.Resolved, _ reading: LKEWorkbookImport.Reading? = nil) throws {
        if json {
            var out: [String: Any] = [
                "satker": t.satker, "cycle": t.cycle, "layer": t.layer.rawValue, "imported": written.count,
            ]
            if let reading {
                out["layout"] = reading.layout
                out["sheet"] = reading.sheet
                out["notices"] = reading.notices
            }
            try printJSON(out)
        } else {
            // What was not read goes to stderr, so that a script reading stdout sees one line.
            for notice in reading?.notices ?? [] { FileHandle.standardError.write(Data("note: \(notice)\n".utf8)) }
            let from = reading.map { " from sheet '\($0.sheet)' (\($0.layout) layout)" } ?? ""
            print(
                "imported \(written.count) answers into \(t.satker)'s LKE \(t.cycle), layer \(t.layer.rawValue)\(from)")
        }
    }
}
