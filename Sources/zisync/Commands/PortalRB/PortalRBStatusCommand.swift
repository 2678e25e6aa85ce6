import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncStore

struct PortalRBStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Each proposed unit as PortalRB has it: fetched when, changed since.",
        discussion: """
            PortalRB resets its review of a unit whose answers change: a unit marked changed will be \
            reviewed again after PortalRB's next fetch (or ask for a refetch in PortalRB).
            """)

    @OptionGroup var node: NodeOptions
    @Option(help: "The evaluation year (default: this year).") var cycle: Int?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try node.openStore()
        let cycle = try LKECycle.resolve(self.cycle)
        let states = try PortalRBData(store).state(year: cycle)
        if json {
            try printJSON(
                states.map { s in
                    [
                        "satker": s.proposal.satker, "category": s.proposal.category,
                        "fetched": s.fetchedAt.map(timestamp) as Any? ?? NSNull(),
                        "changed_since": s.changedSince as Any? ?? NSNull(),
                    ] as [String: Any]
                })
            return
        }
        guard !states.isEmpty else {
            print("no unit proposed for \(cycle)")
            return
        }
        printTable(
            ["SATKER", "CATEGORY", "FETCHED BY PORTALRB", "ANSWERS"],
            states.map { s in
                [
                    s.proposal.satker, s.proposal.category.uppercased(), s.fetchedAt.map(timestamp) ?? "not yet",
                    s.changedSince.map { $0 ? "changed since" : "as fetched" } ?? "-",
                ]
            })
    }
}
