import ArgumentParser
import ZISyncCore
import ZISyncStore

struct PlanAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a plan; prints its id.")

    @OptionGroup var node: NodeOptions
    @Option(help: "Area of change: \(Area.choices).") var area: Area
    @Option(help: "The activity (kegiatan).") var activity: String
    @Option(help: "LKE catalogue code(s), comma-separated, e.g. A.I.1.ii.a.") var lke: String?
    @Option(help: "Expected output (rencana output).") var output: String?
    @Option(help: "Target (uraian/jumlah).") var target: String?
    @Option(help: "Deadline YYYY-MM-DD (tenggat).") var deadline: String?
    @Option(help: "Person in charge (penanggung jawab).") var pic: String?
    @Option(help: "Owner satker when entering a plan for an office below this one.") var satker: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try node.openStore()
        let schema = RecordType.actionPlan.schema
        var fields: [String: FieldValue] = ["area": .string(area.rawValue), "activity": .string(activity)]
        for (name, value) in [
            ("lke", lke), ("output", output), ("target", target), ("deadline", deadline), ("pic", pic),
        ] {
            if let value { fields[name] = try schema.parse(field: name, text: value) }
        }
        let id = try Plans(store).add(owner: satker, fields: fields, actor: node.actorName)
        if json {
            try printJSON(try store.records.get(id)?.jsonObject ?? [:])
        } else {
            print(id)
        }
    }
}
