import ArgumentParser
import ZISyncCore
import ZISyncStore

struct MonevListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List monev reports.")

    @OptionGroup var node: NodeOptions
    @Option(help: "Only this satker's subtree (default: this node's).") var satker: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let reports = try MonevReports(node.openStore()).list(subtree: satker)
        if json {
            try printJSON(reports.map { $0.jsonObject })
        } else {
            printTable(
                ["ID", "SATKER", "PERIOD", "DATE", "LEADERSHIP", "SUMMARY"],
                reports.map { (r: StoredRecord) -> [String] in
                    [
                        String(r.id.prefix(8)), r.owner, r["period"].description, r["date"].description,
                        r["leadership_involved"] == .bool(true) ? "ya" : "tidak", r["summary"].description,
                    ]
                })
        }
    }
}
