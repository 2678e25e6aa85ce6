import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncStore

struct PortalRBLogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "Every request PortalRB made, newest first.",
        discussion: "Which token (by name, never the token), route, unit, the answer's status and size, when.")

    @OptionGroup var node: NodeOptions
    @Option(help: "How many requests.") var limit = 100
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        guard (1...100_000).contains(limit) else { throw ValidationError("--limit must be 1 to 100000") }
        let log = try PortalRBTokens(try node.openStore()).log(limit: limit)
        if json {
            try printJSON(
                log.map {
                    [
                        "at": timestamp($0.at), "token": $0.token, "route": $0.route,
                        "unit": $0.unit as Any? ?? NSNull(), "status": $0.status, "bytes": $0.bytes,
                    ] as [String: Any]
                })
            return
        }
        guard !log.isEmpty else {
            print("PortalRB has made no request")
            return
        }
        printTable(
            ["AT", "TOKEN", "ROUTE", "UNIT", "STATUS", "BYTES"],
            log.map { [timestamp($0.at), $0.token, $0.route, $0.unit ?? "-", String($0.status), String($0.bytes)] })
    }
}
