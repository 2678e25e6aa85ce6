import ArgumentParser
import ZISyncCore
import ZISyncStore

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
        if try store.records.get(id) == nil {
            for type in [RecordType.actionPlan, .evidence, .review, .monev] {
                if let r = try? store.records.resolve(id, as: type) {
                    recordID = r.id
                    break
                }
            }
        }
        let entries = try store.audit.history(of: recordID)
        if entries.isEmpty { throw ZISyncError("no record with id '\(id)' on this node") }
        if json {
            try printJSON(
                entries.map { (e: HistoryEntry) -> [String: Any] in
                    [
                        "field": e.field, "value": e.value.jsonObject, "origin": e.origin, "seq": e.seq,
                        "hlc": e.hlc.description, "hlc_raw": e.hlc.rawValue, "actor": e.actor,
                        "outcome": e.outcome.rawValue, "base": e.base.map(\.description),
                    ]
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
