import Foundation
import ZISyncCore
import ZISyncScoring
import ZISyncStore

/// A satker's LKE of a cycle as the regulation's workbook (`LKERegulationLayout`), from what this
/// node holds: each chosen layer's answers, notes and bukti dukung. The one place the CLI and the
/// web app get a workbook from.
public struct LKEWorkbookExport: Sendable {
    let store: Store

    public init(_ store: Store) { self.store = store }

    /// The column group's title of a layer.
    public static func title(_ layer: AssessmentLayer) -> String {
        switch layer {
        case .unit: "Unit"
        case .provinsi: "Provinsi"
        case .tpi: "TPI"
        }
    }

    public func sheets(satker: String, cycle: Int, layers: [AssessmentLayer]) throws -> [Worksheet] {
        let model = LKEModel(try store.records.lkeCatalogue())
        let columns = try entries(satker: satker, cycle: cycle, layers: layers, model: model).map {
            LKERegulationLayout.Layer(title: Self.title($0.layer), entries: $0.entries)
        }
        let name = store.registry[satker]?.name ?? satker
        return LKERegulationLayout(model: model).sheets(title: "\(satker) \(name), siklus \(cycle)", layers: columns)
    }

    /// PortalRB's template of the cycle's year (sheet `Jawaban`): the unit's and the TPI's answers
    /// in PortalRB's forms on each soal's row.
    public func portalRBTemplate(satker: String, cycle: Int) throws -> [Worksheet] {
        guard let soal = try PortalRBSoal.master(year: cycle) else {
            throw WorkbookError(
                "PortalRB's template follows its master of LKE questions for a year; none ships for \(cycle) (years: \(PortalRBSoal.years.map(String.init).joined(separator: ", ")))"
            )
        }
        let model = LKEModel(try store.records.lkeCatalogue())
        let held = try LKEAnswers(store).answers(satker: satker, cycle: cycle, layers: [.unit, .tpi])
        let shown = try entries(satker: satker, cycle: cycle, layers: [.unit], model: model).first?.entries ?? [:]
        return [
            LKEPortalRBLayout(model: model, soal: soal).sheet(
                unit: held[.unit] ?? [:], tpi: held[.tpi] ?? [:], unitEvidence: shown.mapValues { $0.evidence })
        ]
    }

    /// Each layer's answers, notes and bukti dukung as a person reads them. A unit's bukti dukung
    /// name the items they support; the unit's column shows them with those its answers name.
    func entries(satker: String, cycle: Int, layers: [AssessmentLayer], model: LKEModel) throws
        -> [(layer: AssessmentLayer, entries: [String: LKERegulationLayout.Entry])]
    {
        let held = try LKEAnswers(store).answers(satker: satker, cycle: cycle, layers: layers)
        var named: [String: [StoredRecord]] = [:]
        var byID: [String: StoredRecord] = [:]
        for e in try store.records.evidenceNamingItems(owner: satker) {
            byID[e.id] = e
            for code in Validation.lkeCodes(e.string("lke") ?? "") { named[code, default: []].append(e) }
        }
        func readable(_ e: StoredRecord) -> String { e.string("title") ?? e.string("file_name") ?? e.id }
        return try layers.map { layer in
            var entries: [String: LKERegulationLayout.Entry] = [:]
            for (code, a) in held[layer] ?? [:] {
                entries[code] = .init(answer: a.answer, note: a.note, evidenceIDs: a.evidence)
            }
            for item in model.items where model.isInput(item.code) || item.level == "pertanyaan" {
                var shown: [String] = []
                for id in entries[item.code]?.evidenceIDs ?? [] {
                    shown.append(try byID[id].map(readable) ?? store.records.get(id).map(readable) ?? id)
                }
                if layer == .unit { shown += (named[item.code] ?? []).map(readable).filter { !shown.contains($0) } }
                if !shown.isEmpty { entries[item.code, default: .init()].evidence = shown.joined(separator: "; ") }
            }
            return (layer, entries)
        }
    }
}
