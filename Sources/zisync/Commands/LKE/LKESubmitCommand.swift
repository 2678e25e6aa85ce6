import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncStore

struct LKESubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit", abstract: "Submit this office's LKE (Kirim LKE) to its reviewers.",
        discussion: """
            Records the score and a hash of the unit layer's answers; from then on the unit layer \
            of the cycle is read-only, here and at every office above, until a reviewer returns it \
            (`zisync lke return`). `zisync lke status` shows where it stands.
            """)

    @OptionGroup var node: NodeOptions
    @Option(help: "The cycle (default: this year).") var cycle: Int?
    @Option(help: "A note for the reviewers.") var note: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try node.openStore()
        let cycle = try LKECycle.resolve(self.cycle)
        let made = try Evaluation(store).submit(cycle: cycle, note: note, actor: node.actorName)
        if json {
            try printJSON(LKECycle.json(made))
        } else {
            print(
                "\(store.node) submitted its LKE for \(cycle): submission \(made.step.n), score \(made.score ?? "-"), \(made.answered ?? 0) answers"
            )
        }
    }
}
