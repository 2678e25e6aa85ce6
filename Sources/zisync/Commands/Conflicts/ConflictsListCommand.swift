import ArgumentParser
import ZISyncCore
import ZISyncStore

struct ConflictsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Fields written concurrently in two places, not yet resolved (the default).",
        discussion:
            "The last writer (by HLC) wins meanwhile. Each field's values are numbered from 0 (the winner); `zisync conflicts resolve RECORD FIELD N` keeps value N."
    )

    @OptionGroup var node: NodeOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let conflicts = try Conflicts(try node.openStore()).open()
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
            ["RECORD", "TYPE", "SATKER", "FIELD", "N", "", "ORIGIN:SEQ", "ACTOR", "VALUE"],
            conflicts.flatMap { c in
                c.values.enumerated().map { n, v in
                    [
                        String(c.recordID.prefix(8)), c.type, c.owner, c.field, String(n), v.winner ? "wins" : "loses",
                        "\(v.origin):\(v.seq)", v.actor, v.value.description,
                    ]
                }
            })
    }
}
