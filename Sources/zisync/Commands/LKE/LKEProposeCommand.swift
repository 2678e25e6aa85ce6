import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncStore

struct LKEProposeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "propose", abstract: "Propose a unit to KemenPANRB for Menuju WBK or WBBM (at KPU RI).",
        discussion: """
            Refused unless the TPI's final conclusion is memenuhi, the LKE thresholds of the tpi \
            layer and the prerequisites are met, and for WBBM the unit held Menuju WBK two full \
            years before the cycle; each refusal names the rule with required and actual. --reason \
            proposes anyway, kept with the rules not met and shown as an override. --withdraw \
            takes a proposal back.
            """)

    @OptionGroup var node: NodeOptions
    @Option(help: "The unit.") var satker: String
    @Option(help: "The cycle (default: this year).") var cycle: Int?
    @Option(help: "Why it is proposed although a rule is not met (an override).") var reason: String?
    @Flag(help: "Withdraw the proposal.") var withdraw = false
    @Argument(help: "wbk or wbbm.") var category: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try node.openStore()
        let cycle = try LKECycle.resolve(self.cycle)
        try LKECycle.check(satker: satker, store)
        let evaluation = Evaluation(store)
        if withdraw {
            try evaluation.withdraw(satker: satker, cycle: cycle, actor: node.actorName)
            print("\(satker)'s proposal for \(cycle) withdrawn")
            return
        }
        guard let category, category == "wbk" || category == "wbbm" else {
            throw ValidationError("the category must be wbk or wbbm")
        }
        let made = try evaluation.propose(
            satker: satker, cycle: cycle, category: category, override: reason, actor: node.actorName)
        if json {
            try printJSON(LKECycle.json(made))
        } else {
            print(
                "\(satker) proposed for Menuju \(category.uppercased()) \(cycle), score \(made.score ?? "-")\(made.override == nil ? "" : " (override)")"
            )
        }
    }
}

struct LKEProposalsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proposals", abstract: "The units KPU RI proposes for a cycle, with their scores.")

    @OptionGroup var node: NodeOptions
    @Option(help: "The cycle (default: this year).") var cycle: Int?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try node.openStore()
        let cycle = try LKECycle.resolve(self.cycle)
        let proposals = try Evaluation(store).proposals(cycle: cycle)
        if json {
            try printJSON(["cycle": cycle, "proposals": proposals.map(LKECycle.json)])
            return
        }
        guard !proposals.isEmpty else {
            print("no unit proposed for \(cycle)")
            return
        }
        printTable(
            ["SATKER", "NAME", "CATEGORY", "SCORE", "OVERRIDE"],
            proposals.map { p in
                [
                    p.satker, store.registry[p.satker]?.name ?? "", p.category.uppercased(), p.score ?? "-",
                    p.override ?? "",
                ]
            })
    }
}
