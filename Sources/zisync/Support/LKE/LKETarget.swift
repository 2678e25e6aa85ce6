import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncScoring
import ZISyncStore

/// Which LKE a command is about: a satker (default this office), a cycle (default this year) and
/// a layer (default the one this office writes for that satker).
struct LKETarget: ParsableArguments {
    @Option(help: "The satker whose LKE (default: this office).") var satker: String?
    @Option(help: "The cycle: the year of the evaluation (default: this year).") var cycle: Int?
    @Option(help: "The layer: unit, provinsi or tpi (default: the one this office writes).") var layer: String?

    struct Resolved {
        let satker: String
        let cycle: Int
        let layer: AssessmentLayer
    }

    func resolve(_ store: Store, layerRequired: Bool = true) throws -> Resolved {
        let satker = self.satker ?? store.node
        guard store.registry.contains(satker) else {
            throw ValidationError("unknown satker code '\(satker)' (e.g. 00, 32, 32.17)")
        }
        let cycle = self.cycle ?? CalendarDay.thisYear()
        guard (2000...2100).contains(cycle) else { throw ValidationError("--cycle must be a year, got \(cycle)") }
        let layer: AssessmentLayer
        if let name = self.layer {
            guard let l = AssessmentLayer(rawValue: name) else {
                throw ValidationError("--layer must be unit, provinsi or tpi, got '\(name)'")
            }
            layer = l
        } else if let l = LKEAnswers(store).defaultLayer(for: satker) {
            layer = l
        } else {
            guard !layerRequired else {
                throw ValidationError("\(store.node) writes no layer of \(satker)'s LKE: name one with --layer")
            }
            layer = .unit
        }
        return Resolved(satker: satker, cycle: cycle, layer: layer)
    }
}

extension ScoredLKE {
    /// The LKE a command is about, scored.
    init(store: Store, _ t: LKETarget.Resolved) throws {
        try self.init(store: store, satker: t.satker, cycle: t.cycle, layer: t.layer)
    }
}

/// Two decimals, as the LKE shows a figure (rounded as readiness rounds it).
func two(_ x: Double) -> String { String(format: "%.2f", rounded2(x)) }

/// A rule not met, in words: the figure and what it lacks.
func describe(_ rule: LKEReadiness.Rule) -> String {
    rule.rule == "predikat wbk"
        ? "requires a Menuju WBK predikat held \(Int(rule.required)) full years before the cycle (granted by KPU RI: `zisync lke predikat`); held \(Int(rule.actual))"
        : "\(rule.rule): \(two(rule.actual)) of \(two(rule.required)), \(two(rule.required - rule.actual)) short"
}
