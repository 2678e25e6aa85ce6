import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncStore

struct LKEPredikatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predikat", abstract: "Record the predikat KPU RI granted a satker (at KPU RI only).",
        discussion: "Menuju WBBM requires a satker to hold Menuju WBK: this is what `lke score` reads.")

    @OptionGroup var node: NodeOptions
    @Option(help: "The satker granted the predikat.") var satker: String
    @Option(help: "The year it was granted.") var year: Int
    @Argument(help: "wbk or wbbm.") var level: String

    func run() throws {
        let store = try node.openStore()
        guard store.node == SatkerRegistry.root else {
            throw ValidationError("a predikat is granted by KPU RI: run this on the node of 00, not \(store.node)")
        }
        guard ["wbk", "wbbm"].contains(level) else { throw ValidationError("the predikat must be wbk or wbbm") }
        guard store.registry.contains(satker) else { throw ValidationError("unknown satker code '\(satker)'") }
        try LKEAnswers(store).grant(satker: satker, year: year, level: level, actor: node.actorName)
        print("\(satker) holds Menuju \(level.uppercased()) from \(year)")
    }
}
