import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncScoring
import ZISyncStore

struct LKESheetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sheet", abstract: "The LKE worksheet as the LKE Excel shows it, the three layers side by side.",
        discussion: """
            Every catalogue row in document order: weight, answer type, the answers and values of \
            the unit, provinsi and tpi layers, the unit's note, the bukti dukung linked to the code, \
            and each layer's score on indicator and area rows. Rows where layers answered \
            differently are marked. --csv opens in a spreadsheet.
            """)

    @OptionGroup var node: NodeOptions
    @Option(help: "The satker whose LKE (default: this office).") var satker: String?
    @Option(help: "The cycle (default: this year).") var cycle: Int?
    @Flag(help: "Print CSV.") var csv = false
    @Flag(help: "Print JSON.") var json = false

    struct Row: Encodable {
        let code, level, name, weight, answerType: String
        /// Per layer (unit, provinsi, tpi): the answer, its value (0–1, a count, an index) or score.
        let answers: [String: String]
        let values: [String: Double]
        let note: String?
        /// Per layer: its note on the item (a reviewer's note is where a return's per-item notes go).
        let notes: [String: String]
        let evidence: Int
        let disagree: Bool
    }

    func run() throws {
        guard !(csv && json) else { throw ValidationError("--csv or --json, not both") }
        let rows = try buildRows()
        if json {
            try printEncoded(rows)
        } else if csv {
            printCSV(rows)
        } else {
            printText(rows)
        }
    }

    /// Reads the catalogue, the three layers' answers and the linked evidence, and scores each layer: one row per
    /// catalogue item, in document order.
    private func buildRows() throws -> [Row] {
        let store = try node.openStore()
        // The same defaults as every lke command (the layer is not used: the sheet shows all three).
        let t = try LKETarget.parse(
            (satker.map { ["--satker", $0] } ?? []) + (cycle.map { ["--cycle", String($0)] } ?? [])
        ).resolve(store, layerRequired: false)
        let model = LKEModel(try store.records.lkeCatalogue())
        let all = try LKEAnswers(store).answers(satker: t.satker, cycle: t.cycle)
        let layers = AssessmentLayer.allCases
        var scores: [AssessmentLayer: LKEScore] = [:]
        for layer in layers {
            scores[layer] = LKEScoring.score(model, answers: LKEAnswers.given(all[layer] ?? [:]))
        }
        var evidenceByCode: [String: Set<String>] = [:]
        for e in try store.records.list(.evidence, owners: [t.satker]) where !e.isDeleted {
            for code in Validation.lkeCodes(e.string("lke") ?? "") { evidenceByCode[code, default: []].insert(e.id) }
        }
        var rows: [Row] = []
        for item in model.items {
            rows.append(
                Self.row(item, model: model, all: all, scores: scores, evidence: evidenceByCode[item.code] ?? []))
        }
        return rows
    }

    /// One catalogue item across the layers: each layer's answer and value, the unit's note, the evidence count,
    /// and whether the layers answered differently.
    private static func row(
        _ item: LKEItem, model: LKEModel, all: [AssessmentLayer: [String: LKEAnswers.Answer]],
        scores: [AssessmentLayer: LKEScore], evidence linkedToCode: Set<String>
    ) -> Row {
        let layers = AssessmentLayer.allCases
        var answers: [String: String] = [:]
        var values: [String: Double] = [:]
        var notes: [String: String] = [:]
        for layer in layers {
            if let a = all[layer]?[item.code]?.answer { answers[layer.rawValue] = a }
            if let n = all[layer]?[item.code]?.note { notes[layer.rawValue] = n }
            if item.level == "jumlah" {
                if let a = answers[layer.rawValue] { values[layer.rawValue] = Double(a) }
            } else if let v = nodeScore(item, scores[layer]!, model: model) {
                values[layer.rawValue] = v
            }
        }
        // The bukti dukung linked to the code and those the answers name, each once.
        var linked = linkedToCode
        for layer in layers { linked.formUnion(all[layer]?[item.code]?.evidence ?? []) }
        return Row(
            code: item.code, level: item.level, name: item.name, weight: item.weight,
            answerType: item.answerType, answers: answers, values: values, note: all[.unit]?[item.code]?.note,
            notes: notes, evidence: linked.count, disagree: Set(answers.values).count > 1)
    }

    /// The score a layer's scoring gives a catalogue row: an item's value, an indicator's score, an area's sum of
    /// its indicators, or a component's subtotal; nil for counts and rows without one.
    private static func nodeScore(_ item: LKEItem, _ s: LKEScore, model: LKEModel) -> Double? {
        switch item.level {
        case "indikator": return s.indicators.first { $0.code == item.code }?.score
        case "area":
            return model.children(of: item.code).filter { $0.level == "indikator" }
                .compactMap { c in s.indicators.first { $0.code == c.code }?.score }.reduce(0, +)
        case "pertanyaan", "hasil": return s.items.first { $0.code == item.code }?.value
        case "jumlah": return nil
        default:
            switch item.code {
            case "A": return s.pengungkit
            case "A.I": return s.pemenuhan
            case "A.II": return s.reform
            case "B": return s.hasil
            case "B.I": return s.hasilBirokrasi
            case "B.II": return s.ipkp
            default: return nil
            }
        }
    }

    /// `--csv`: every column, an answer and a value per layer, for a spreadsheet.
    private func printCSV(_ rows: [Row]) {
        let layers = AssessmentLayer.allCases
        var header = ["code", "level", "name", "weight", "answer_type"]
        for l in layers { header += [l.rawValue, "\(l.rawValue)_value"] }
        header += ["note", "evidence", "disagree"]
        print(header.joined(separator: ","))
        for r in rows {
            var cells = [r.code, r.level, r.name, r.weight, r.answerType]
            for l in layers {
                cells += [
                    r.answers[l.rawValue] ?? "", r.values[l.rawValue].map { String(format: "%.4f", $0) } ?? "",
                ]
            }
            cells += [r.note ?? "", String(r.evidence), r.disagree ? "ya" : ""]
            print(cells.map(PlanSheet.cell).joined(separator: ","))
        }
    }

    /// The table: per layer its answer, else its value, and a mark where the layers disagree.
    private func printText(_ rows: [Row]) {
        printTable(
            ["CODE", "WEIGHT", "TYPE", "UNIT", "PROVINSI", "TPI", "BUKTI", ""],
            rows.map { r in
                let cell: (AssessmentLayer) -> String = { l in
                    r.answers[l.rawValue] ?? r.values[l.rawValue].map { two($0) } ?? ""
                }
                return [
                    r.code, r.weight, r.answerType, cell(.unit), cell(.provinsi), cell(.tpi),
                    r.evidence == 0 ? "" : String(r.evidence), r.disagree ? "≠" : "",
                ]
            })
    }
}
