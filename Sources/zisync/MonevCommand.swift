import ArgumentParser
import ZISyncCore
import ZISyncStore

struct MonevCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monev", abstract: "Monev reports: periodic plan-versus-realisation reviews.",
        subcommands: [Add.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a monev report; prints its id.")

        @OptionGroup var node: NodeOptions
        @Option(help: "The period, e.g. 2026-TW1.") var period: String
        @Option(help: "Date of the monev meeting, YYYY-MM-DD.") var date: String?
        @Flag(help: "The leadership took part.") var leadership = false
        @Option(help: "Summary: plan versus realisation, obstacles, solutions.") var summary: String?
        @Option(help: "Recommendations.") var recommendations: String?
        @Option(help: "Follow-up of earlier recommendations.") var followUp: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let store = try node.openStore()
            let schema = RecordType.monev.schema
            var fields: [String: FieldValue] = [
                "period": .string(period), "leadership_involved": .bool(leadership),
            ]
            for (name, value) in [
                ("date", date), ("summary", summary), ("recommendations", recommendations), ("follow_up", followUp),
            ] {
                if let value { fields[name] = try schema.parse(field: name, text: value) }
            }
            let id = try MonevReports(store).add(fields: fields, actor: node.actorName)
            if json { try printJSON(try store.records.get(id)?.jsonObject ?? [:]) } else { print(id) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List monev reports.")

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
}
