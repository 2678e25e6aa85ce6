import ArgumentParser
import ZISyncStore
import ZISyncWeb

struct UserAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a person's account.")
    @OptionGroup var node: NodeOptions
    @Argument(help: "The user name (a–z, 0–9, '.', '_', '-').") var name: String
    @Option(help: "The role: \(Role.choices).") var role: Role

    func run() throws {
        if let problem = Accounts.problem(name: name) { throw ValidationError(problem) }
        let store = try node.openStore()
        try store.accounts.add(name: name, role: role, passwordHash: Passwords.hash(try readPassword()))
        print("added \(name) (\(role.rawValue)); changes made from the web carry \(name)@\(store.node)")
    }
}
