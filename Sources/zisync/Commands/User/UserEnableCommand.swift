import ArgumentParser

struct UserEnableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enable", abstract: "Enable a disabled account.")
    @OptionGroup var node: NodeOptions
    @Argument(help: "The user name.") var name: String

    func run() throws {
        try node.openStore().accounts.setDisabled(name: name, false)
        print("enabled \(name)")
    }
}
