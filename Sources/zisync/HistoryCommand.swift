import ArgumentParser
import ZISyncCore

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Every version of every field of a record: winners and losers, who wrote them, where and when.")

    @OptionGroup var node: NodeOptions
    @Argument(help: "The record id (or its first 8+ characters).") var id: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try node.openStore()
        var recordID = id
        if try store.record(id) == nil {
            for type in [RecordType.actionPlan, .evidence, .review, .monev] {
                if let r = try? store.resolve(id, as: type) {
                    recordID = r.id
                    break
                }
            }
        }
        let entries = try store.history(of: recordID)
        if entries.isEmpty { throw ZISyncError("no record with id '\(id)' on this node") }
        if json {
            try printJSON(
                entries.map {
                    [
                        "field": $0.field, "value": $0.value.jsonObject, "origin": $0.origin, "seq": $0.seq,
                        "hlc": $0.hlc.description, "hlc_raw": $0.hlc.rawValue, "actor": $0.actor,
                        "outcome": $0.outcome.rawValue, "base": $0.base.map(\.description),
                    ] as [String: Any]
                })
        } else {
            print("history of \(recordID)")
            printTable(
                ["FIELD", "OUTCOME", "ORIGIN:SEQ", "HLC", "ACTOR", "VALUE"],
                entries.map {
                    [
                        $0.field, $0.outcome.rawValue, "\($0.origin):\($0.seq)", $0.hlc.description, $0.actor,
                        $0.value.description,
                    ]
                })
        }
    }
}
