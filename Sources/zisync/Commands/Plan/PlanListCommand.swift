import ArgumentParser
import ZISyncCore
import ZISyncStore

struct PlanListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List plans.")

    @OptionGroup var node: NodeOptions
    @Option(help: "Only plans of this satker's subtree (default: this node's).") var satker: String?
    @Option(help: "Only this area: \(Area.choices).") var area: Area?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try node.openStore()
        if let satker, !store.registry.contains(satker) { throw ValidationError("unknown satker code '\(satker)'") }
        let plans = Plans(store)
        if json {
            // Streamed: a list of any length in bounded memory.
            var out = JSONArrayStream()
            try plans.eachPlain(subtree: satker, area: area) { out.append(record: $0) }
            out.finish()
        } else {
            printTable(PlanFormat.header, try plans.list(subtree: satker, area: area).map(PlanFormat.row))
        }
    }
}
