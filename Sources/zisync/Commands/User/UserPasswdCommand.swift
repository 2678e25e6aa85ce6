import ArgumentParser
import ZISyncWeb

struct UserPasswdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passwd", abstract: "Set a new password (the person's sessions end).")
    @OptionGroup var node: NodeOptions
    @Argument(help: "The user name.") var name: String

    func run() throws {
        let store = try node.openStore()
        guard try store.accounts.get(name) != nil else {
            throw ValidationError("no user '\(name)' (see `zisync user list`)")
        }
        try store.accounts.setPassword(name: name, passwordHash: Passwords.hash(try readPassword()))
        print("password of \(name) changed")
    }
}
