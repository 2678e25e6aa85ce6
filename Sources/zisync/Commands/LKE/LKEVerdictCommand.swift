import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncStore

struct LKEVerdictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verdict",
        abstract: "The province's verdict on a kab/kota's submitted LKE: layak or belum-layak diusulkan.",
        discussion: """
            Given once, on the submission under assessment. Belum-layak: the province returns it for             revision (`zisync lke return`) or leaves it out. Layak: it goes on to KPU RI's evaluasi             TPI, which alone may return it from then on.
            """)

    @OptionGroup var node: NodeOptions
    @Option(help: "The kab/kota.") var satker: String
    @Option(help: "The cycle (default: this year).") var cycle: Int?
    @Option(help: "Why.") var note: String?
    @Argument(help: "layak or belum-layak.") var verdict: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try node.openStore()
        let cycle = try LKECycle.resolve(self.cycle)
        try LKECycle.check(satker: satker, store)
        guard let verdict = ProvinceVerdict(rawValue: verdict) else {
            throw ValidationError("the verdict must be layak or belum-layak, got '\(self.verdict)'")
        }
        let given = try Evaluation(store).giveVerdict(
            satker: satker, cycle: cycle, verdict: verdict, note: note, actor: node.actorName)
        if json {
            try printJSON(LKECycle.json(given))
        } else {
            print("\(satker)'s LKE for \(cycle), submission \(given.step.n): \(verdict.rawValue)")
        }
    }
}
