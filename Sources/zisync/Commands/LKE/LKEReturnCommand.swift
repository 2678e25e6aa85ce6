import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncStore

struct LKEReturnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "return", abstract: "Return a unit's submitted LKE for revision, with notes.",
        discussion: """
            A kab/kota's LKE is returned by its province (penilaian pendahuluan) until the province \
            finds it layak, and by KPU RI (evaluasi TPI) after; any other satker's by KPU RI. The unit \
            layer opens again and the revision is counted (1, 2, …). Per-item notes go into this \
            office's layer (provinsi or tpi) of those items, where the unit sees them.
            """)

    @OptionGroup var node: NodeOptions
    @Option(help: "The unit whose LKE is returned.") var satker: String
    @Option(help: "The cycle (default: this year).") var cycle: Int?
    @Option(help: "What to revise.") var note: String
    @Option(name: .customLong("item"), help: "CODE=NOTE: a note on one item (repeatable).") var items: [String] = []
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try node.openStore()
        let cycle = try LKECycle.resolve(self.cycle)
        try LKECycle.check(satker: satker, store)
        let parsed = try items.map { item -> (code: String, note: String) in
            guard let eq = item.firstIndex(of: "="), !item[..<eq].isEmpty else {
                throw ValidationError("--item must be CODE=NOTE, got '\(item)'")
            }
            return (String(item[..<eq]).trimmedOfWhitespace, String(item[item.index(after: eq)...]).trimmedOfWhitespace)
        }
        let back = try Evaluation(store).returnForRevision(
            satker: satker, cycle: cycle, note: note, items: parsed, actor: node.actorName)
        if json {
            try printJSON(LKECycle.json(back))
        } else {
            print("\(satker)'s LKE for \(cycle) returned: revision \(back.step.n), \(back.items.count) items noted")
        }
    }
}
