import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncStore

struct LKEConcludeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conclude",
        abstract: "The TPI's conclusion on a submitted LKE: memenuhi or belum-memenuhi (at KPU RI).",
        discussion: """
            Through the TPI's steps, in order: --step anggota (a member drafts it), ketua (the team \
            lead agrees), dalnis (the technical controller makes it final; the default). A \
            kab/kota's LKE is concluded on after its province found it layak. A final conclusion \
            stands; a proposal needs a final memenuhi.
            """)

    @OptionGroup var node: NodeOptions
    @Option(help: "The unit.") var satker: String
    @Option(help: "The cycle (default: this year).") var cycle: Int?
    @Option(help: "anggota, ketua or dalnis (final).") var step: String = TPIStep.dalnis.rawValue
    @Option(help: "Why.") var note: String?
    @Argument(help: "memenuhi or belum-memenuhi.") var conclusion: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try node.openStore()
        let cycle = try LKECycle.resolve(self.cycle)
        try LKECycle.check(satker: satker, store)
        guard let conclusion = TPIConclusion(rawValue: conclusion) else {
            throw ValidationError("the conclusion must be memenuhi or belum-memenuhi, got '\(self.conclusion)'")
        }
        guard let step = TPIStep(rawValue: step) else {
            throw ValidationError("--step must be anggota, ketua or dalnis, got '\(self.step)'")
        }
        let made = try Evaluation(store).conclude(
            satker: satker, cycle: cycle, conclusion: conclusion, step: step, note: note, actor: node.actorName)
        if json {
            try printJSON(LKECycle.json(made))
        } else {
            print(
                "\(satker)'s LKE for \(cycle), submission \(made.step.n): \(conclusion.rawValue) (\(step.title)\(made.isFinal ? ", final" : ""))"
            )
        }
    }
}
