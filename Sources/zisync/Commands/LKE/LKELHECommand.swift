import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncStore
import ZISyncWeb

struct LKELHECommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lhe", abstract: "The evaluation report (LHE) of a unit, as an HTML page to print on A4.",
        discussion: """
            The steps of the cycle with who took them, the layers' scores side by side, the \
            prerequisites, every item the layers answered differently or noted, the TPI's \
            conclusion and the proposal. The web app shows the same page at /lke/lhe.
            """)

    @OptionGroup var node: NodeOptions
    @Option(help: "The unit (default: this office).") var satker: String?
    @Option(help: "The cycle (default: this year).") var cycle: Int?
    @Option(help: "The file to write (- for standard output).") var html: String

    func run() async throws {
        let store = try node.openStore()
        let cycle = try LKECycle.resolve(self.cycle)
        let satker = self.satker ?? store.node
        try LKECycle.check(satker: satker, store)
        guard store.subtree.contains(satker) else {
            throw ValidationError("\(satker) is not in \(store.node)'s subtree: its LKE is not here")
        }
        let text = try await EvaluationReport.html(store: store, satker: satker, cycle: cycle)
        if html == "-" {
            print(text, terminator: "")
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: html), options: .atomic)
        } catch {
            throw ZISyncError("cannot write \(html): \(error.localizedDescription)")
        }
        print("wrote \(html) (\(text.utf8.count) bytes)")
    }
}
