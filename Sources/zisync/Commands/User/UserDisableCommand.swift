import ArgumentParser

struct UserDisableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable", abstract: "Disable an account (its sessions end; its history stays).")
    @OptionGroup var node: NodeOptions
    @Argument(help: "The user name.") var name: String

    func run() throws {
        try node.openStore().accounts.setDisabled(name: name, true)
        print("disabled \(name)")
    }
}
