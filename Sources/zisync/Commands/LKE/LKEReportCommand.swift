import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncScoring
import ZISyncStore

struct LKEReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "The LKE of every satker below this office that has answers, worst first.",
        discussion: """
            On a province: its own LKE and its kab/kota's; on KPU RI: all 553. For each: total, \
            pengungkit, each area's percent, unanswered, Menuju WBK/WBBM readiness and the first rule \
            not met. --layer chooses whose answers (default unit: the offices' own).
            """)

    @OptionGroup var node: NodeOptions
    @Option(help: "The cycle (default: this year).") var cycle: Int?
    @Option(help: "The layer: unit, provinsi or tpi.") var layer = "unit"
    @Flag(help: "Print CSV.") var csv = false
    @Flag(help: "Print JSON.") var json = false

    struct Line: Encodable {
        let satker, name: String
        let total, pengungkit: Double
        let areas: [String: Double]
        let unanswered: Int
        let wbk, wbbm: Bool
        let firstFailed: String?
    }

    func run() throws {
        guard !(csv && json) else { throw ValidationError("--csv or --json, not both") }
        guard let layer = AssessmentLayer(rawValue: layer) else {
            throw ValidationError("--layer must be unit, provinsi or tpi, got '\(self.layer)'")
        }
        let store = try node.openStore()
        let cycle = self.cycle ?? CalendarDay.thisYear()
        let lines = try ScoredLKE.rollUp(store: store, cycle: cycle, layer: layer).map { l in
            Line(
                satker: l.satker, name: store.registry[l.satker]?.name ?? l.satker, total: l.score.total,
                pengungkit: l.score.pengungkit,
                areas: Dictionary(uniqueKeysWithValues: l.score.areas.map { ($0.area, $0.percent) }),
                unanswered: l.score.unanswered, wbk: l.readiness.wbk.meets, wbbm: l.readiness.wbbm.meets,
                firstFailed: l.readiness.wbk.failed.first.map(describe))
        }
        let areaNames = Area.allCases.map(\.rawValue)
        if json {
            try printEncoded(lines)
        } else if csv {
            print(
                (["satker", "name", "total", "pengungkit"] + areaNames + ["unanswered", "wbk", "wbbm", "first_failed"])
                    .joined(separator: ","))
            for l in lines {
                let cells =
                    [l.satker, l.name, two(l.total), two(l.pengungkit)] + areaNames.map { two(l.areas[$0] ?? 0) }
                    + [String(l.unanswered), l.wbk ? "ya" : "tidak", l.wbbm ? "ya" : "tidak", l.firstFailed ?? ""]
                print(cells.map(PlanSheet.cell).joined(separator: ","))
            }
        } else {
            printTable(
                ["SATKER", "TOTAL", "PENGUNGKIT", "UNANSWERED", "WBK", "WBBM", "FIRST RULE NOT MET"],
                lines.map {
                    [
                        $0.satker, two($0.total), two($0.pengungkit), String($0.unanswered), $0.wbk ? "ya" : "-",
                        $0.wbbm ? "ya" : "-", $0.firstFailed ?? "",
                    ]
                })
        }
    }
}
