import Foundation
import ZISyncCore
import ZISyncScoring
import ZISyncStore

/// The regulation's layout as offices keep it (evaluation.md §4): titles above the table, the
/// tree's numbering over several columns or before the question, merged cells, one or several
/// layers' `Jawaban` columns, notes and evidence links, no zisync code. The table is found by its
/// header texts; the question column is the one whose texts are the catalogue's questions; each
/// row is placed on the catalogue by its question's words and its numbering, in order, so that
/// a question asked twice (the reform areas repeat the pemenuhan areas' names) lands on the
/// right code; never by fixed row numbers.
struct LKEKeptLayout {
    let model: LKEModel
    /// Each question's key, to the items (by index, in document order) that carry it.
    let byKey: [String: [Int]]
    let words: [Set<Substring>]

    init(model: LKEModel) {
        self.model = model
        var byKey: [String: [Int]] = [:]
        for (i, item) in model.items.enumerated() { byKey[LKEText.key(item.name), default: []].append(i) }
        self.byKey = byKey
        words = model.items.map { LKEText.words(LKEText.key($0.name)) }
    }

    /// Where the table is in a sheet.
    struct Table {
        let header: Int
        /// The question column.
        let text: Int
        let answer: Int
        let note: Int?
        let evidence: Int?
        /// The answer column's header as written (and the group title above it).
        let title: String
    }

    /// A row's question, placed: the item's index in the catalogue, nil when it is no LKE item.
    func key(_ sheet: XLSXWorkbook.Sheet, _ r: Int, _ column: Int) -> (label: String?, key: String) {
        let split = LKEText.splitLabel(sheet.text(r, column) ?? "")
        return (split.label, LKEText.key(String(split.rest)))
    }

    /// The table of `layer` in `sheet`: nil when the sheet has no LKE table; an error when it has
    /// one but no column or several that may be the layer's answers.
    func table(_ sheet: XLSXWorkbook.Sheet, layer: AssessmentLayer, file: String) throws -> Table? {
        guard
            let header = (1...30).first(where: { r in
                sheet.rows[r]?.keys.contains { LKEText.key(sheet.text(r, $0) ?? "").hasPrefix("jawaban") } == true
            })
        else { return nil }
        // The question column: the one most of whose texts are the catalogue's questions.
        var hits: [Int: Int] = [:]
        for (r, cells) in sheet.rows where r > header {
            for c in cells.keys where byKey[key(sheet, r, c).key] != nil { hits[c, default: 0] += 1 }
        }
        guard let (text, count) = hits.max(by: { ($0.value, -$0.key) < ($1.value, -$1.key) }), count >= 5 else {
            return nil
        }
        let titles = columnTitles(sheet, header)
        let answers = titles.keys.filter { $0 > text && LKEText.key(sheet.text(header, $0) ?? "").hasPrefix("jawaban") }
            .sorted()
        guard !answers.isEmpty else { return nil }
        let named = answers.filter { Self.names(LKEText.key(titles[$0]!), layer) }
        let answer: Int
        if named.count == 1 {
            answer = named[0]
        } else if named.isEmpty && answers.count == 1 {
            answer = answers[0]  // one layer's sheet: the operator says which with --layer
        } else {
            let found = answers.map { "\(columnName($0)) '\(titles[$0]!.prefix(40))'" }.joined(separator: ", ")
            throw WorkbookError(
                "\(file), sheet '\(sheet.name.prefix(40))', row \(header): the answer columns are \(found); "
                    + (named.isEmpty ? "none" : "more than one")
                    + " of them is the \(layer.rawValue) layer's (a header naming \(Self.words[layer]!.joined(separator: ", ")))"
            )
        }
        // The layer's note and evidence columns: between its answer and the next layer's.
        let end = answers.first { $0 > answer } ?? Int.max
        func find(_ test: (String) -> Bool) -> Int? {
            let own = titles.keys.sorted().filter { $0 > answer && $0 < end }
            let others = answers.count == 1 ? titles.keys.sorted().filter { $0 < answer && $0 != text } : []
            return (own + others).first { test(LKEText.key(sheet.text(header, $0) ?? "")) }
        }
        return Table(
            header: header, text: text, answer: answer,
            note: find { $0.hasPrefix("catatan") || $0.hasPrefix("keterangan") },
            evidence: find { k in
                ["bukti", "link", "tautan", "url"].contains { k.contains($0) }
                    && !k.split(separator: " ").contains("id")
            },
            title: titles[answer]!)
    }

    /// The words by which a header names a layer.
    static let words: [AssessmentLayer: [String]] = [
        .unit: ["unit", "mandiri", "satker"], .provinsi: ["provinsi", "pendahuluan"],
        .tpi: ["tpi", "evaluator", "penilai", "inspektorat"],
    ]

    static func names(_ key: String, _ layer: AssessmentLayer) -> Bool {
        let title = Set(key.split(separator: " "))
        return words[layer]!.contains { title.contains(Substring($0)) }
    }

    /// Each header cell's text with the group title above it (a merged cell over several
    /// columns, `Penilaian Unit` over `Jawaban`, `Nilai`, `Catatan`).
    func columnTitles(_ sheet: XLSXWorkbook.Sheet, _ header: Int) -> [Int: String] {
        var titles: [Int: String] = [:]
        for c in sheet.rows[header]?.keys ?? [:].keys {
            var group = sheet.text(header - 1, c)
            if let m = sheet.merges.first(where: { $0.rows.contains(header - 1) && $0.columns.contains(c) }) {
                group = sheet.text(m.rows.lowerBound, m.columns.lowerBound)
            }
            titles[c] = [group, sheet.text(header, c)].compactMap { $0 }.joined(separator: " ")
        }
        return titles
    }

    /// Reads the layer's rows: each placed on its code, or named when it carries a value and
    /// cannot be placed.
    func read(_ sheet: XLSXWorkbook.Sheet, _ table: Table, file: String) throws -> LKEWorkbookImport.Reading {
        var problems: [String] = []
        var notices: [String] = []
        var entries: [LKEAnswers.Entry] = []
        var placed: [Int: Int] = [:]  // item index → row
        var last = -1
        func at(_ column: Int, _ row: Int) -> String {
            "\(file), sheet '\(sheet.name.prefix(40))', cell \(columnName(column))\(row)"
        }
        for r in sheet.rows.keys.sorted() where r > table.header {
            let value = sheet.text(r, table.answer)?.trimmedOfWhitespace ?? ""
            let note = table.note.flatMap { sheet.text(r, $0) }?.trimmedOfWhitespace ?? ""
            let links = table.evidence.flatMap { sheet.text(r, $0) }?.trimmedOfWhitespace ?? ""
            let (ownLabel, key) = self.key(sheet, r, table.text)
            let label = ownLabel ?? numbering(sheet, r, before: table.text)
            guard let index = place(key: key, label: label, after: last, placed: placed) else {
                let text = sheet.text(r, table.text)?.trimmedOfWhitespace ?? ""
                if Self.columnNumber(value), Self.columnNumber(text) {
                    notices.append(
                        "\(file), sheet '\(sheet.name.prefix(40))', row \(r): the columns' numbers; not read")
                } else if !value.isEmpty || !note.isEmpty {
                    problems.append(
                        "\(at(table.answer, r)): '\(value.prefix(20))' is on a row the reader cannot place on the LKE"
                            + (text.isEmpty
                                ? " (no question in column \(columnName(table.text)))" : " ('\(text.prefix(60))')")
                    )
                } else if text.contains(where: \.isLetter) {
                    notices.append("\(at(table.text, r)): '\(text.prefix(60))' is no item of the LKE; not read")
                }
                continue
            }
            if let earlier = placed[index] {
                problems.append(
                    "\(at(table.text, r)): \(model.items[index].code) is on row \(earlier) already")
                continue
            }
            placed[index] = r
            last = index
            let item = model.items[index]
            guard model.isInput(item.code), let type = model.answerType(item.code) else {
                if !value.isEmpty {
                    notices.append(
                        "\(at(table.answer, r)): '\(value.prefix(20))' not read: \(item.code) is a "
                            + (item.answerType == LKEAnswerType.persen.rawValue
                                ? "persen row, computed from its jumlah rows" : "\(item.level) row"))
                }
                continue
            }
            if value.isEmpty && note.isEmpty && links.isEmpty { continue }
            var answer: String? = nil
            if !value.isEmpty {
                switch type.normalize(Self.bare(value, type)) {
                case .success(let a): answer = a
                case .failure(let e):
                    problems.append("\(at(table.answer, r)) (\(item.code)): \(e.description)")
                    continue
                }
            }
            // Links that are zisync's bukti dukung ids link them; any other link or title is kept
            // in the note, so nothing the office wrote is lost.
            let parts = links.split(whereSeparator: { $0 == ";" || $0 == "," || $0.isWhitespace }).map(String.init)
            let ids = !parts.isEmpty && parts.allSatisfy(Validation.isRecordID) ? parts : []
            var fullNote = note
            if ids.isEmpty && !links.isEmpty { fullNote += (note.isEmpty ? "" : "\n") + "Bukti dukung: " + links }
            entries.append(
                .init(
                    code: item.code, answer: answer, note: fullNote.isEmpty ? nil : fullNote,
                    evidence: ids.isEmpty ? nil : ids))
        }
        try LKEWorkbookImport.refuse(problems)
        return .init(entries: entries, layout: "regulation", sheet: sheet.name, notices: notices)
    }

    /// A column's number as tables print them under the header: `(8)`.
    static func columnNumber(_ text: String) -> Bool {
        guard text.hasPrefix("("), text.hasSuffix(")"), text.count >= 3 else { return false }
        let inner = text.dropFirst().dropLast()
        return inner.count <= 3 && inner.allSatisfy(\.isASCII) && inner.allSatisfy(\.isNumber)
    }

    /// An answer as people type it in a sheet: `A.` or `b)` for a letter.
    static func bare(_ value: String, _ type: LKEAnswerType) -> String {
        guard !type.choices.isEmpty, value.hasSuffix(".") || value.hasSuffix(")") else { return value }
        return String(value.dropLast())
    }

    /// The rightmost numbering label left of the question column (the deepest level is the
    /// rightmost: `A.` `I.` `1.` `i.` `a.` spread over columns A to E).
    func numbering(_ sheet: XLSXWorkbook.Sheet, _ r: Int, before column: Int) -> String? {
        for c in stride(from: column - 1, through: 1, by: -1) {
            if let t = sheet.text(r, c), let label = LKEText.label(t) { return label }
        }
        return nil
    }

    /// The catalogue item a row is: its question's words, the same or nearly (a typo, a word
    /// more), among them those its numbering names, the first after the row placed before it.
    func place(key: String, label: String?, after last: Int, placed: [Int: Int]) -> Int? {
        guard !key.isEmpty else { return nil }
        var candidates = byKey[key] ?? []
        if candidates.isEmpty, key.utf8.count >= 12 {
            let mine = LKEText.words(key)
            var best = 0.8
            for (i, w) in words.enumerated() {
                let like = LKEText.likeness(mine, w)
                if like > best + 1e-9 {
                    best = like
                    candidates = [i]
                } else if abs(like - best) < 1e-9 {
                    candidates.append(i)
                }
            }
        }
        if let label {
            func segment(_ i: Int) -> Substring { model.items[i].code.split(separator: ".").last ?? "" }
            let exact = candidates.filter { segment($0) == label }
            let loose = candidates.filter { segment($0).lowercased() == label.lowercased() }
            if !exact.isEmpty { candidates = exact } else if !loose.isEmpty { candidates = loose }
        }
        let open = candidates.filter { placed[$0] == nil }
        return open.first { $0 > last } ?? open.first ?? candidates.first
    }
}
