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
        let cycle = self.cycle ?? Calendar(identifier: .gregorian).component(.year, from: Date())
        let model = LKEModel(try store.records.lkeCatalogue())
        let answers = LKEAnswers(store)
        var lines: [Line] = []
        for satker in try answers.satkers(cycle: cycle, among: store.subtree) {
            var given: [String: String] = [:]
            for (code, a) in try answers.answers(satker: satker, cycle: cycle)[layer] ?? [:] {
                if let answer = a.answer { given[code] = answer }
            }
            guard !given.isEmpty else { continue }
            let s = LKEScoring.score(model, answers: given)
            let r = LKEReadiness.evaluate(s, holdsWBK: try answers.holdsWBK(satker: satker, year: cycle))
            lines.append(
                Line(
                    satker: satker, name: store.registry[satker]?.name ?? satker, total: s.total,
                    pengungkit: s.pengungkit,
                    areas: Dictionary(uniqueKeysWithValues: s.areas.map { ($0.area, $0.percent) }),
                    unanswered: s.unanswered, wbk: r.wbk.meets, wbbm: r.wbbm.meets,
                    firstFailed: r.wbk.failed.first.map(describe)))
        }
        lines.sort { $0.total != $1.total ? $0.total < $1.total : $0.satker < $1.satker }
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
