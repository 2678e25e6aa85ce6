import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncStore

struct LKEStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Where a unit's LKE stands in the cycle, or the queue below.",
        discussion: """
            With --satker (or at a kab/kota): that unit's submissions, returns and verdicts. \
            Without it at a province or KPU RI: every unit below that has submitted, with its state.
            """)

    @OptionGroup var node: NodeOptions
    @Option(help: "The unit (default: this office, or the queue below at a province or KPU RI).") var satker: String?
    @Option(help: "The cycle (default: this year).") var cycle: Int?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try node.openStore()
        let cycle = try LKECycle.resolve(self.cycle)
        let evaluation = Evaluation(store)
        let hasBelow = store.subtree.count > 1
        if satker == nil && hasBelow {
            let queue = try evaluation.queue(cycle: cycle)
            if json {
                try printJSON(["cycle": cycle, "units": queue.map(LKECycle.json)])
                return
            }
            guard !queue.isEmpty else {
                print("no unit below \(store.node) has submitted its LKE for \(cycle)")
                return
            }
            printTable(
                ["SATKER", "STATE", "SUBMISSION", "REVISION", "VERDICT", "TPI", "PROPOSED", "SCORE"],
                queue.map { s in
                    [
                        s.satker, s.state.rawValue, String(s.submissions.count), String(s.revision),
                        s.verdict?.verdict.rawValue ?? "-",
                        s.conclusion.map { "\($0.conclusion.rawValue)\($0.isFinal ? "" : " (\($0.tpiStep.rawValue))")" }
                            ?? "-",
                        s.proposal?.category.uppercased() ?? "-", s.submissions.last?.score ?? "-",
                    ]
                })
            return
        }
        let satker = self.satker ?? store.node
        try LKECycle.check(satker: satker, store)
        let s = try evaluation.status(satker: satker, cycle: cycle)
        if json {
            try printJSON(LKECycle.json(s))
            return
        }
        print("\(satker) \(cycle): \(s.state.rawValue), revision \(s.revision)")
        for (i, sub) in s.submissions.enumerated() {
            print(
                "  submission \(sub.step.n)  \(sub.step.day)  by \(sub.step.actor)@\(sub.step.origin)  score \(sub.score ?? "-")\(sub.step.note.map { "  \"\($0)\"" } ?? "")"
            )
            if let c = s.conclusions.first(where: { $0.step.n == sub.step.n }) {
                print(
                    "    TPI \(c.conclusion.rawValue) (\(c.tpiStep.title)\(c.isFinal ? ", final" : ""))  \(c.step.day)  by \(c.step.actor)@\(c.step.origin)"
                )
            }
            if let v = s.verdicts.first(where: { $0.step.n == sub.step.n }) {
                print(
                    "    verdict \(v.verdict.rawValue)  \(v.step.day)  by \(v.step.actor)@\(v.step.origin)\(v.step.note.map { "  \"\($0)\"" } ?? "")"
                )
            }
            if i < s.returns.count {
                let r = s.returns[i]
                print(
                    "    returned  \(r.step.day)  by \(r.step.actor)@\(r.step.origin)  \"\(r.step.note ?? "")\"\(r.items.isEmpty ? "" : "  items: \(r.items.joined(separator: ", "))")"
                )
            }
        }
        if let p = s.proposal {
            print(
                "  proposed for Menuju \(p.category.uppercased()) (submission \(p.n), score \(p.score ?? "-"))\(p.override.map { ", override: \($0)" } ?? "")"
            )
        }
        if s.answersAsSubmitted == false {
            print("  the unit layer's answers differ from those of the last submission")
        }
    }
}
