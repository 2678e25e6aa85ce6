import ZISyncCore
import ZISyncScoring

/// The LKE as the regulation prints it (PermenPANRB 90/2021, Lampiran III; evaluation.md §4), as
/// a workbook: sheet `LKE` with the tree's numbering, the questions, bobot, the answer choices and
/// zisync's code, then each layer side by side (jawaban, nilai, catatan, bukti dukung), every
/// nilai a live formula that computes what `LKEScoring` computes; sheet `Ringkasan` with the
/// totals, the components and the six areas of each layer. Row r of `LKE` holds the catalogue's
/// line r, the row PortalRB's master and the common templates give each item.
public struct LKERegulationLayout: Sendable {
    /// One layer's column group: its title and what it holds, by code.
    public struct Layer: Sendable {
        public let title: String
        public let entries: [String: Entry]
        public init(title: String, entries: [String: Entry]) {
            self.title = title
            self.entries = entries
        }
    }

    public struct Entry: Sendable, Equatable {
        public var answer: String?
        public var note: String?
        /// The bukti dukung as a person reads them (titles, links).
        public var evidence: String?
        /// The bukti dukung's record ids, in a hidden column: what an import links again.
        public var evidenceIDs: [String]
        public init(answer: String? = nil, note: String? = nil, evidence: String? = nil, evidenceIDs: [String] = []) {
            self.answer = answer
            self.note = note
            self.evidence = evidence
            self.evidenceIDs = evidenceIDs
        }
    }

    /// The header texts of the fixed columns A to I; a layer's five follow, each header naming
    /// its layer (`Jawaban (Unit)`).
    public static let fixedHeaders = [
        "Komponen", "Aspek", "Area", "Indikator", "Butir", "Uraian", "Bobot", "Pilihan jawaban", "Kode",
    ]
    public static let layerHeaders = ["Jawaban", "Nilai", "Catatan", "Bukti dukung", "Bukti (id)"]
    /// The labels of `Ringkasan`'s rows, from its fifth row on; then one row per area.
    public static let summaryRows = ["Nilai total", "Pengungkit", "Pemenuhan", "Reform", "Hasil"]
    public static let summaryFirstRow = 5

    let model: LKEModel
    /// The sheet row of each code.
    let row: [String: Int]

    public init(model: LKEModel) {
        self.model = model
        var row: [String: Int] = [:]
        for (i, item) in model.items.enumerated() { row[item.code] = i + 2 }
        self.row = row
    }

    /// The row of the total, below the tree.
    var totalRow: Int { model.items.count + 2 }

    /// Column (1-based) of a layer's field: 0 jawaban, 1 nilai, 2 catatan, 3 bukti, 4 bukti ids.
    static func column(layer: Int, field: Int) -> Int { fixedHeaders.count + 1 + layer * layerHeaders.count + field }

    public func sheets(title: String, layers: [Layer]) -> [Worksheet] {
        [lke(layers), summary(title: title, layers: layers)]
    }

    // MARK: - Sheet LKE

    func lke(_ layers: [Layer]) -> Worksheet {
        var sheet = Worksheet(name: "LKE")
        sheet.columns =
            [4, 4, 4, 5, 6, 60, 7, 14, 20].map { Worksheet.Column(width: $0) }
            + layers.flatMap { _ in
                [
                    Worksheet.Column(width: 11), Worksheet.Column(width: 8), Worksheet.Column(width: 30),
                    Worksheet.Column(width: 30), Worksheet.Column(width: 12, hidden: true),
                ]
            }
        sheet.frozenRows = 1
        sheet.frozenColumns = 6
        var header: [Cell?] = Self.fixedHeaders.map { Cell.text($0, .header) }
        for layer in layers { header += Self.layerHeaders.map { Cell.text("\($0) (\(layer.title))", .header) } }
        sheet.rows.append(header)
        for item in model.items { sheet.rows.append(itemRow(item, layers)) }
        var total: [Cell?] = Array(repeating: nil, count: Self.fixedHeaders.count)
        total[5] = .text("NILAI TOTAL (A + B)", .heading)
        for l in layers.indices {
            total += [nil, Cell.formula("\(value(l, "A"))+\(value(l, "B"))", .headingScore), nil, nil, nil]
        }
        sheet.rows.append(total)
        sheet.validations = validations(layers.count)
        return sheet
    }

    /// A cell of `code`'s row in layer `l`'s column `field`.
    func ref(_ l: Int, _ field: Int, _ code: String) -> String {
        "\(columnName(Self.column(layer: l, field: field)))\(row[code] ?? 1)"
    }
    func answer(_ l: Int, _ code: String) -> String { ref(l, 0, code) }
    func value(_ l: Int, _ code: String) -> String { ref(l, 1, code) }

    /// Columns A to I of an item's row: its numbering in the column of its level, the question,
    /// bobot, the choices and the code.
    static func treeCells(_ item: LKEItem) -> [Cell?] {
        let segments = item.code.split(separator: ".")
        var cells: [Cell?] = Array(repeating: nil, count: fixedHeaders.count)
        let label = segments.last.map { $0.hasPrefix("J") ? String($0) : "\($0)." } ?? ""
        let heading = ["komponen", "aspek", "area"].contains(item.level)
        cells[min(segments.count - 1, 4)] = .text(label, heading ? .heading : .plain)
        cells[5] = .text(item.name, heading ? .heading : .wrapped)
        if let w = item.weightHundredths { cells[6] = .number(Double(w) / 100, .score) }
        if let type = LKEAnswerType(rawValue: item.answerType) { cells[7] = .text(choicesText(type)) }
        cells[8] = .text(item.code)
        return cells
    }

    func itemRow(_ item: LKEItem, _ layers: [Layer]) -> [Cell?] {
        var cells = Self.treeCells(item)
        let heading = ["komponen", "aspek", "area"].contains(item.level)
        let type = LKEAnswerType(rawValue: item.answerType)
        for (l, layer) in layers.enumerated() {
            let entry = layer.entries[item.code]
            var answerCell: Cell? = nil
            if model.isInput(item.code), let type {
                answerCell = Self.answerCell(entry?.answer, type)
            }
            let idText = entry?.evidenceIDs.joined(separator: ",") ?? ""
            let nilai = formula(item, l).map { Cell.formula($0, heading ? .headingScore : .score) }
            let note = entry?.note.map { Cell.text($0, .wrapped) }
            let evidence = entry?.evidence.map { Cell.text($0, .wrapped) }
            cells += [answerCell, nilai, note, evidence, idText.isEmpty ? nil : Cell.text(idText)]
        }
        return cells
    }

    /// An answer cell: a number for counts and indices (so that formulas and validation see one),
    /// text for the choices; shaded, as where a person types.
    static func answerCell(_ answer: String?, _ type: LKEAnswerType) -> Cell {
        guard let answer, !answer.isEmpty else { return Cell(.text(""), style: .input) }
        if type == .jumlah || type == .nilai04, let x = Double(answer) { return .number(x, .input) }
        return .text(answer, .input)
    }

    static func choicesText(_ type: LKEAnswerType) -> String {
        switch type {
        case .yaTidak: "Ya/Tidak"
        case .abc: "A/B/C"
        case .abcd: "A/B/C/D"
        case .abcde: "A/B/C/D/E"
        case .persen: "%"
        case .jumlah: "Jumlah"
        case .nilai04: "0–4"
        }
    }

    /// The nilai of `item` in layer `l`, as `LKEScoring` computes it: a question's value (0–1),
    /// a jumlah row's count, an indicator's, area's, aspect's or component's score, a hasil item's
    /// score. Nil for rows that have none.
    func formula(_ item: LKEItem, _ l: Int) -> String? {
        let type = LKEAnswerType(rawValue: item.answerType)
        let kids = model.children(of: item.code)
        func sum(_ codes: [String]) -> String {
            codes.isEmpty ? "0" : codes.map { value(l, $0) }.joined(separator: "+")
        }
        switch item.level {
        case "pertanyaan", "hasil":
            guard let type else { return nil }
            let v: String
            switch type {
            case .persen:
                guard let f = Formula(item.formula) else { return "0" }
                let cells = f.tokens.map { value(l, item.code + "." + $0) }
                let guarded = Set(cells).sorted().map { "ISNUMBER(\($0))" }.joined(separator: ",")
                let expr = f.spreadsheet { value(l, item.code + "." + $0) }
                v = "IF(AND(\(guarded)),MIN(1,MAX(0,\(expr))),0)"
            case .nilai04:
                let a = answer(l, item.code)
                v = "IF(AND(ISNUMBER(\(a)),\(a)>=0,\(a)<=4),\(a)/4,0)"
            case .jumlah:
                return nil
            default:
                let a = answer(l, item.code)
                v = type.choices.reversed().reduce("0") { rest, c in
                    c.value == 0 && rest == "0" ? "0" : "IF(\(a)=\"\(c.answer)\",\(c.value),\(rest))"
                }
            }
            if item.level == "hasil" { return "G\(row[item.code]!)*\(v)" }
            return v
        case "jumlah":
            let a = answer(l, item.code)
            let own = "IF(ISNUMBER(\(a)),\(a),\"\")"
            let breakdown = kids.filter { $0.level == "jumlah" }.map { answer(l, $0.code) }
            guard !breakdown.isEmpty else { return own }
            let list = breakdown.joined(separator: ",")
            return "IF(COUNT(\(list))>0,SUM(\(list)),\(own))"
        case "indikator":
            let subs = kids.filter { $0.level == "indikator" }
            if !subs.isEmpty { return sum(subs.map(\.code)) }
            let questions = kids.filter { $0.level == "pertanyaan" }
            guard !questions.isEmpty else { return "0" }
            return "G\(row[item.code]!)*(\(sum(questions.map(\.code))))/\(questions.count)"
        case "area":
            return sum(kids.filter { $0.level == "indikator" }.map(\.code))
        case "aspek":
            return sum(kids.filter { $0.level == "area" || $0.level == "hasil" }.map(\.code))
        case "komponen":
            return sum(kids.filter { $0.level == "aspek" }.map(\.code))
        default:
            return nil
        }
    }

    /// Each layer's answer cells accept only what the code's type accepts.
    func validations(_ layers: Int) -> [Worksheet.Validation] {
        var out: [Worksheet.Validation] = []
        for l in 0..<layers {
            var byType: [LKEAnswerType: [String]] = [:]
            for item in model.items where model.isInput(item.code) {
                guard let type = LKEAnswerType(rawValue: item.answerType) else { continue }
                byType[type, default: []].append(answer(l, item.code))
            }
            for type in LKEAnswerType.allCases {
                if let cells = byType[type], let v = Self.validation(type, cells) { out.append(v) }
            }
        }
        return out
    }

    /// What the answer cells of one type accept, with the message a person sees otherwise.
    static func validation(_ type: LKEAnswerType, _ cells: [String]) -> Worksheet.Validation? {
        let rule: Worksheet.Validation.Rule
        switch type {
        case .jumlah: rule = .wholeNumber(atLeast: 0)
        case .nilai04: rule = .decimal(from: 0, to: 4)
        case .persen: return nil
        default: rule = .list(type.choices.map(\.answer))
        }
        return .init(
            cells: cells.joined(separator: " "), rule: rule, message: "Jawaban ini harus \(allowedText(type)).")
    }

    static func allowedText(_ type: LKEAnswerType) -> String {
        switch type {
        case .yaTidak: "Ya atau Tidak"
        case .abc: "A, B atau C"
        case .abcd: "A, B, C atau D"
        case .abcde: "A, B, C, D atau E"
        case .jumlah: "bilangan bulat 0 atau lebih"
        case .nilai04: "angka 0 sampai 4"
        case .persen: "kosong (dihitung)"
        }
    }

    // MARK: - Sheet Ringkasan

    /// The row labels of `Ringkasan` and, for each, the LKE codes whose nilai add up to it.
    var summaryLines: [(label: String, codes: [String])] {
        var lines: [(String, [String])] = [
            ("Nilai total", ["A", "B"]), ("Pengungkit", ["A"]), ("Pemenuhan", ["A.I"]), ("Reform", ["A.II"]),
            ("Hasil", ["B"]),
        ]
        for area in model.children(of: "A.I").filter({ $0.level == "area" }) {
            let reform = model.children(of: "A.II").first { $0.area == area.area }
            lines.append((area.name, [area.code] + (reform.map { [$0.code] } ?? [])))
        }
        return lines
    }

    func summary(title: String, layers: [Layer]) -> Worksheet {
        var sheet = Worksheet(name: "Ringkasan")
        sheet.columns = [Worksheet.Column(width: 28)] + layers.map { _ in Worksheet.Column(width: 16) }
        let header: [Cell?] = [Cell.text("Komponen", .header)] + layers.map { Cell.text($0.title, .header) }
        sheet.rows = [
            [Cell.text("Lembar Kerja Evaluasi Zona Integritas", .heading)], [Cell.text(title)],
            [Cell.text("Nilai dihitung oleh rumus di lembar LKE; zisync menghitung nilai yang sama.")], header,
        ]
        for line in summaryLines {
            let figures: [Cell?] = layers.indices.map { l in
                Cell.formula(line.codes.map { "LKE!\(value(l, $0))" }.joined(separator: "+"), .score)
            }
            sheet.rows.append([Cell.text(line.label, .heading) as Cell?] + figures)
        }
        sheet.frozenRows = 4
        return sheet
    }
}
