import ArgumentParser
import ZISyncCore
import ZISyncStore

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Roll-up per satker and area: plans, done, overdue, evidence, review verdicts.")

    @OptionGroup var node: NodeOptions
    @Option(help: "Only this satker's subtree (default: this node's).") var satker: String?
    @Option(help: "Count overdue against this date (YYYY-MM-DD; default today).") var today: String?
    @Flag(help: "Print CSV (for spreadsheets).") var csv = false
    @Flag(help: "Print JSON.") var json = false

    /// The columns of the CSV, the JSON keys and the table.
    static let header = [
        "satker", "area", "plans", "done", "overdue", "evidence", "evidence_missing_files", "disetujui",
        "perlu_revisi", "ditolak",
    ]

    static func values(_ r: ReportRow) -> [String] {
        [r.satker, r.area]
            + [r.plans, r.done, r.overdue, r.evidence, r.evidenceMissingFiles, r.disetujui, r.perluRevisi, r.ditolak]
            .map(String.init)
    }

    func validate() throws {
        if csv && json { throw ValidationError("choose one of --csv and --json") }
        if let today, !Validation.isDate(today) { throw ValidationError("--today must be YYYY-MM-DD, got '\(today)'") }
    }

    func run() throws {
        let store = try node.openStore()
        if let satker, !store.registry.contains(satker) { throw ValidationError("unknown satker code '\(satker)'") }
        let rows = try RollUp(store).rows(subtree: satker, today: today ?? CalendarDay.today())
        if json {
            try printJSON(
                rows.map { r in
                    Dictionary(
                        uniqueKeysWithValues: zip(Self.header, Self.values(r)).map { k, v -> (String, Any) in
                            (k, Int(v).map { $0 as Any } ?? v)
                        })
                })
        } else if csv {
            print(Self.header.joined(separator: ","))
            for r in rows { print(Self.values(r).joined(separator: ",")) }
        } else {
            printTable(Self.header.map { $0.uppercased() }, rows.map(Self.values))
        }
    }
}
