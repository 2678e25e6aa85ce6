import ArgumentParser
import ZISyncCore

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
            let id = try store.addMonev(fields: fields, actor: node.actorName)
            if json { try printJSON(try store.record(id)!.jsonObject) } else { print(id) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List monev reports.")

        @OptionGroup var node: NodeOptions
        @Option(help: "Only this satker's subtree (default: this node's).") var satker: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let reports = try node.openStore().monevReports(subtree: satker)
            if json {
                try printJSON(reports.map(\.jsonObject))
            } else {
                printTable(
                    ["ID", "SATKER", "PERIOD", "DATE", "LEADERSHIP", "SUMMARY"],
                    reports.map {
                        [
                            String($0.id.prefix(8)), $0.owner, $0["period"].description, $0["date"].description,
                            $0["leadership_involved"] == .bool(true) ? "ya" : "tidak", $0["summary"].description,
                        ]
                    })
            }
        }
    }
}
