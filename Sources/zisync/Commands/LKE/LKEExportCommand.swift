import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncStore
import ZISyncWorkbook

struct LKEExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write an LKE as the Excel workbook of the regulation's layout.",
        discussion: """
            Sheet LKE holds the tree as Lampiran III prints it (row r is the catalogue's line r), \
            then each layer side by side: jawaban, nilai, catatan, bukti dukung. Every nilai is a \
            formula, so Excel or LibreOffice recalculates the workbook to the score `zisync lke \
            score` gives; answer cells accept only what each question allows. Sheet Ringkasan \
            holds the totals and the six areas. Without --layer, all three layers. With --layout \
            portalrb, PortalRB's template instead: sheet Jawaban, each soal of the cycle's master \
            on its row, the unit's answer, note and bukti dukung in K, L and M, the TPI's answer \
            and note in N and Q, in PortalRB's forms.
            """)

    @OptionGroup var node: NodeOptions
    @OptionGroup var target: LKETarget
    @Option(help: "The workbook to write (.xlsx); replaced whole, never left half-written.") var xlsx: String
    @Option(help: "regulation (the three layers side by side) or portalrb (PortalRB's template).")
    var layout = "regulation"
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard ["regulation", "portalrb"].contains(layout) else {
            throw ValidationError("--layout is regulation or portalrb, got '\(layout)'")
        }
    }

    func run() throws {
        let store = try node.openStore()
        let t = try target.resolve(store, layerRequired: false)
        var layers = target.layer == nil ? AssessmentLayer.allCases : [t.layer]
        if layout == "portalrb" {
            guard target.layer == nil else {
                throw ValidationError("--layer does not apply to PortalRB's template: it has the unit's and the TPI's")
            }
            layers = [.unit, .tpi]
        }
        guard xlsx.lowercased().hasSuffix(".xlsx") else {
            throw ValidationError("--xlsx must name an .xlsx file, got '\(xlsx)'")
        }
        let url = URL(fileURLWithPath: xlsx)
        let export = LKEWorkbookExport(store)
        let sheets =
            layout == "portalrb"
            ? try export.portalRBTemplate(satker: t.satker, cycle: t.cycle)
            : try export.sheets(satker: t.satker, cycle: t.cycle, layers: layers)
        try XLSXPackage.write(sheets, to: url)
        if json {
            try printJSON([
                "satker": t.satker, "cycle": t.cycle, "file": url.path,
                "layers": layers.map(\.rawValue), "layout": layout,
            ])
        } else {
            print(
                "wrote \(url.path): \(t.satker)'s LKE \(t.cycle), layers \(layers.map(\.rawValue).joined(separator: ", "))"
            )
        }
    }
}
