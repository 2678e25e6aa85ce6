import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncStore
import ZISyncWeb

struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "The office's people: local accounts of the web app (Halaman kerja ZI).",
        discussion: """
            Accounts live on this node only (never replicated). Roles: \(Role.choices). Every change a \
            person makes from the web carries NAME@SATKER as its actor. Passwords are read from \
            standard input when it is not a terminal (one per line), so a script can enrol a team.
            """,
        subcommands: [UserAdd.self, UserPasswd.self, UserList.self, UserDisable.self, UserEnable.self])
}

extension Role: ExpressibleByArgument {}

/// A new password: asked twice on a terminal, else the first line of standard input.
func readPassword() throws -> String {
    let password: String
    if isatty(STDIN_FILENO) != 0 {
        guard let first = getpass("Password: ").map({ String(cString: $0) }),
            let again = getpass("Again: ").map({ String(cString: $0) })
        else { throw ValidationError("no password given") }
        guard first == again else { throw ValidationError("the two passwords differ") }
        password = first
    } else {
        guard let line = readLine(strippingNewline: true) else {
            throw ValidationError("no password on standard input (one line)")
        }
        password = line
    }
    if let problem = Passwords.problem(password) { throw ValidationError(problem) }
    return password
}

struct UserAdd: ParsableCommand {
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

struct UserPasswd: ParsableCommand {
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

struct UserList: ParsableCommand {
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

struct UserDisable: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable", abstract: "Disable an account (its sessions end; its history stays).")
    @OptionGroup var node: NodeOptions
    @Argument(help: "The user name.") var name: String

    func run() throws {
        try node.openStore().accounts.setDisabled(name: name, true)
        print("disabled \(name)")
    }
}

struct UserEnable: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enable", abstract: "Enable a disabled account.")
    @OptionGroup var node: NodeOptions
    @Argument(help: "The user name.") var name: String

    func run() throws {
        try node.openStore().accounts.setDisabled(name: name, false)
        print("enabled \(name)")
    }
}
