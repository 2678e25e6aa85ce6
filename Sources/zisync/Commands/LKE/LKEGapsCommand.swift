import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncScoring
import ZISyncStore

struct LKEGapsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gaps",
        abstract: "Where the points are: the questions that would raise the score most, with their plans and evidence.",
        discussion: """
            Each question's gain is what the total would gain if it reached its top answer; with \
            the rencana aksi and bukti dukung linked to its code, and the Menuju WBK/WBBM rules not \
            met that it counts in. Then the gap to each rule not met.
            """)

    @OptionGroup var node: NodeOptions
    @OptionGroup var target: LKETarget
    @Option(help: "How many questions.") var top = 10
    @Flag(help: "Print JSON.") var json = false

    struct Output: Encodable {
        struct Gap: Encodable {
            let code, name, area, indicator: String
            let value, gain: Double
            let answered: Bool
            let helps: [String]
            let plans: [String]
            let evidence: [String]
        }
        let satker: String
        let cycle: Int
        let layer: String
        let total: Double
        let gaps: [Gap]
        let readiness: LKEReadiness
    }

    func run() throws {
        guard top > 0 else { throw ValidationError("--top must be 1 or more") }
        let store = try node.openStore()
        let t = try target.resolve(store, layerRequired: false)
        let scored = try ScoredLKE(store: store, t)
        // What the office has linked to each code: its plans' activities, its evidence titles.
        var plans: [String: [String]] = [:]
        var evidence: [String: [String]] = [:]
        for plan in try store.records.list(.actionPlan, owners: [t.satker]) where !plan.isDeleted {
            for code in Validation.lkeCodes(plan.string("lke") ?? "") {
                plans[code, default: []].append(plan.string("activity") ?? plan.id)
            }
        }
        for e in try store.records.list(.evidence, owners: [t.satker]) where !e.isDeleted {
            for code in Validation.lkeCodes(e.string("lke") ?? "") {
                evidence[code, default: []].append(e.string("title") ?? e.string("file_name") ?? e.id)
            }
        }
        func linked(_ map: [String: [String]], _ code: String, indicator: String) -> [String] {
            (map[code] ?? []) + (code == indicator ? [] : map[indicator] ?? [])
        }
        let gaps = LKEGaps.rank(scored.model, scored.score, readiness: scored.readiness, top: top).map {
            Output.Gap(
                code: $0.code, name: $0.name, area: $0.area, indicator: $0.indicator, value: $0.value, gain: $0.gain,
                answered: $0.answered, helps: $0.helps, plans: linked(plans, $0.code, indicator: $0.indicator),
                evidence: linked(evidence, $0.code, indicator: $0.indicator))
        }
        if json {
            try printEncoded(
                Output(
                    satker: t.satker, cycle: t.cycle, layer: t.layer.rawValue, total: scored.score.total, gaps: gaps,
                    readiness: scored.readiness))
            return
        }
        print("LKE \(t.satker) \(t.cycle), layer \(t.layer.rawValue): total \(two(scored.score.total))")
        printTable(
            ["GAIN", "CODE", "AREA", "NOW", "PLANS", "EVIDENCE", "HELPS"],
            gaps.map {
                [
                    two($0.gain), $0.code, $0.area, $0.answered ? two($0.value) : "-", String($0.plans.count),
                    String($0.evidence.count), $0.helps.joined(separator: "; "),
                ]
            })
        for (name, verdict) in [("Menuju WBK", scored.readiness.wbk), ("Menuju WBBM", scored.readiness.wbbm)] {
            for rule in verdict.failed {
                print("\(name): \(describe(rule))")
            }
        }
    }
}
