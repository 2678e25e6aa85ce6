import ArgumentParser

struct PortalRBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portalrb",
        abstract: "KemenPANRB's PortalRB: what KPU RI answers its integration API (at KPU RI).",
        subcommands: [
            PortalRBPreviewCommand.self, PortalRBTokenCommand.self, PortalRBLogCommand.self, PortalRBLinkCommand.self,
            PortalRBStatusCommand.self,
        ])
}
