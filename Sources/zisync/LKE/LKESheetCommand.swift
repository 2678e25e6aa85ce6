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
        let evidence: Int
        let disagree: Bool
    }

    func run() throws {
        guard !(csv && json) else { throw ValidationError("--csv or --json, not both") }
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
        func nodeScore(_ item: LKEItem, _ s: LKEScore) -> Double? {
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
        var rows: [Row] = []
        for item in model.items {
            var answers: [String: String] = [:]
            var values: [String: Double] = [:]
            for layer in layers {
                if let a = all[layer]?[item.code]?.answer { answers[layer.rawValue] = a }
                if item.level == "jumlah" {
                    if let a = answers[layer.rawValue] { values[layer.rawValue] = Double(a) }
                } else if let v = nodeScore(item, scores[layer]!) {
                    values[layer.rawValue] = v
                }
            }
            // The bukti dukung linked to the code and those the answers name, each once.
            var linked = evidenceByCode[item.code] ?? []
            for layer in layers { linked.formUnion(all[layer]?[item.code]?.evidence ?? []) }
            rows.append(
                Row(
                    code: item.code, level: item.level, name: item.name, weight: item.weight,
                    answerType: item.answerType, answers: answers, values: values, note: all[.unit]?[item.code]?.note,
                    evidence: linked.count, disagree: Set(answers.values).count > 1))
        }
        if json {
            try printEncoded(rows)
        } else if csv {
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
        } else {
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
}
