import ArgumentParser
import ZISyncCore

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Roll-up per satker and area: plans, done, overdue, evidence, review verdicts.")

    @OptionGroup var node: NodeOptions
    @Option(help: "Only this satker's subtree (default: this node's).") var satker: String?
    @Option(help: "Count overdue against this date (YYYY-MM-DD; default today).") var today: String?
    @Flag(help: "Print CSV (for spreadsheets).") var csv = false
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if csv && json { throw ValidationError("choose one of --csv and --json") }
        if let today, !Validation.isDate(today) { throw ValidationError("--today must be YYYY-MM-DD, got '\(today)'") }
    }

    func run() throws {
        let store = try node.openStore()
        if let satker, !store.registry.contains(satker) { throw ValidationError("unknown satker code '\(satker)'") }
        let rows = try store.report(subtree: satker, today: today ?? zisync.today())
        if json {
            try printJSON(
                rows.map { r in
                    Dictionary(
                        uniqueKeysWithValues: zip(ReportRow.csvHeader, r.csvValues).map { k, v -> (String, Any) in
                            (k, Int(v).map { $0 as Any } ?? v)
                        })
                })
        } else if csv {
            print(ReportRow.csvHeader.joined(separator: ","))
            for r in rows { print(r.csvValues.joined(separator: ",")) }
        } else {
            printTable(ReportRow.csvHeader.map { $0.uppercased() }, rows.map(\.csvValues))
        }
    }
}
