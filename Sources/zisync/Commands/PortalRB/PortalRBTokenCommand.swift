import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncStore

struct PortalRBTokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "The bearer tokens PortalRB calls KPU RI's API with.",
        discussion: """
            A token is printed once, when it is made: register it in PortalRB with the API's base \
            URL. Only its SHA-256 is kept. Revoking one refuses it at once (401).
            """,
        subcommands: [PortalRBTokenAddCommand.self, PortalRBTokenListCommand.self, PortalRBTokenRevokeCommand.self])
}

struct PortalRBTokenAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Make a token; print it once.")

    @OptionGroup var node: NodeOptions
    @Argument(help: "The token's name (letters, digits, '-', '_', '.'), as the log shows it.") var name: String

    func run() throws {
        let store = try node.openStore()
        guard store.node == SatkerRegistry.root else {
            throw ValidationError("PortalRB calls KPU RI: run this on the node of 00, not \(store.node)")
        }
        print(try PortalRBTokens(store).add(name: name))
    }
}

struct PortalRBTokenListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "The tokens, live or revoked.")

    @OptionGroup var node: NodeOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let tokens = try PortalRBTokens(try node.openStore()).list()
        if json {
            try printJSON(
                tokens.map {
                    [
                        "name": $0.name, "created": timestamp($0.createdAt),
                        "revoked": $0.revokedAt.map(timestamp) as Any? ?? NSNull(),
                    ] as [String: Any]
                })
            return
        }
        printTable(
            ["NAME", "CREATED", "REVOKED"],
            tokens.map { [$0.name, timestamp($0.createdAt), $0.revokedAt.map(timestamp) ?? "-"] })
    }
}

struct PortalRBTokenRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token at once.")

    @OptionGroup var node: NodeOptions
    @Argument(help: "The token's name.") var name: String

    func run() throws {
        try PortalRBTokens(try node.openStore()).revoke(name: name)
        print("token '\(name)' revoked")
    }
}
