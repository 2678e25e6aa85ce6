import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncStore

struct PortalRBLinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link", abstract: "The evidence links PortalRB's evaluators open.",
        discussion: """
            Each proposed unit's answers carry, per item, a link to its bukti dukung that opens \
            without an account, for that unit and cycle only, until the cycle's evaluasi-tpn window \
            closes (31 December without one). Revoking gives the unit new links at PortalRB's next \
            fetch; the old ones open nothing.
            """,
        subcommands: [PortalRBLinkRevokeCommand.self])
}

struct PortalRBLinkRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a unit's links.")

    @OptionGroup var node: NodeOptions
    @Option(help: "The unit.") var satker: String
    @Option(help: "The evaluation year (default: this year).") var cycle: Int?

    func run() throws {
        let store = try node.openStore()
        let cycle = try LKECycle.resolve(self.cycle)
        try LKECycle.check(satker: satker, store)
        try PortalRBEvidenceLinks(store).revoke(satker: satker, cycle: cycle)
        print("\(satker)'s evidence links for \(cycle) revoked: PortalRB gets new ones at its next fetch")
    }
}
