import ArgumentParser
import Foundation
import ZISyncStore

struct UserListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "The accounts of this office.")
    @OptionGroup var node: NodeOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let accounts = try node.openStore().accounts.list()
        if json {
            try printEncoded(accounts)
            return
        }
        if accounts.isEmpty {
            print("no accounts yet: `zisync user add NAME --role ROLE`")
            return
        }
        printTable(
            ["NAME", "ROLE", "STATE", "SINCE"],
            accounts.map {
                [
                    $0.name, $0.role.rawValue, $0.disabled ? "disabled" : "active",
                    Date(timeIntervalSince1970: Double($0.createdAt) / 1000).formatted(.iso8601.year().month().day()),
                ]
            })
    }
}
