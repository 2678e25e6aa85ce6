import ArgumentParser
import ZISyncStore

struct EvidenceListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List evidence.")

    @OptionGroup var node: NodeOptions
    @Option(help: "Only evidence of this plan.") var plan: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try node.openStore()
        let evidence = Evidence(store)
        if json {
            // Streamed: a list of any length in bounded memory.
            var out = JSONArrayStream()
            try evidence.each(plan: plan) { e in
                var o = e.jsonObject
                o["file_present"] = evidence.filePresent(e)
                try out.append(o)
            }
            out.finish()
        } else {
            let items = try evidence.list(plan: plan)
            printTable(
                ["ID", "SATKER", "PLAN", "KIND", "SIZE", "FILE", "TITLE"],
                items.map { e in
                    let present = evidence.filePresent(e)
                    return [
                        String(e.id.prefix(8)), e.owner, String(e["plan"].description.prefix(8)), e["kind"].description,
                        e["size"].description, present ? e["file_name"].description : "(not here yet)",
                        e["title"].description,
                    ]
                })
        }
    }
}
