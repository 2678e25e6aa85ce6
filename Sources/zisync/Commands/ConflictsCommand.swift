import ArgumentParser
import ZISyncCore
import ZISyncStore

struct ConflictsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts",
        abstract: "Fields written concurrently in two places, not yet resolved.",
        discussion:
            "The last writer (by HLC) wins meanwhile. Writing the field again on a node that shows the conflict resolves it."
    )

    @OptionGroup var node: NodeOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let conflicts = try node.openStore().audit.conflicts()
        if json {
            try printJSON(
                conflicts.map { c in
                    [
                        "record": c.recordID, "type": c.type, "satker": c.owner, "field": c.field,
                        "values": c.values.map {
                            [
                                "value": $0.value.jsonObject, "origin": $0.origin, "seq": $0.seq,
                                "hlc": $0.hlc.description,
                                "actor": $0.actor, "winner": $0.winner,
                            ] as [String: Any]
                        },
                    ] as [String: Any]
                })
            return
        }
        if conflicts.isEmpty {
            print("no open conflicts")
            return
        }
        printTable(
            ["RECORD", "TYPE", "SATKER", "FIELD", "", "ORIGIN:SEQ", "ACTOR", "VALUE"],
            conflicts.flatMap { c in
                c.values.map {
                    [
                        String(c.recordID.prefix(8)), c.type, c.owner, c.field, $0.winner ? "wins" : "loses",
                        "\($0.origin):\($0.seq)", $0.actor, $0.value.description,
                    ]
                }
            })
    }
}
