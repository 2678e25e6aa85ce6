import ArgumentParser
import ZISyncCore
import ZISyncStore

struct MonevAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Record a monev report; prints its id.")

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
